"""HTML building blocks for the audit report: escaping, tables, inline images, the page shell.

Everything is inline (CSS in a ``<style>``, images as ``data:`` URIs) so one file opens anywhere,
offline, and can be archived or mailed as the audit record of a run.
"""

from __future__ import annotations

import base64
import html
import math
from pathlib import Path
from typing import Any, Iterable

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1100px;
       color: #1d1d1f; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: 0.6em 0 1em; } th, td { border: 1px solid #ddd; padding: 3px 8px; }
th { background: #f4f4f6; text-align: left; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; } pre { background: #f7f7f9; padding: 0.8em; overflow-x: auto; }
figure { display: inline-block; margin: 0.5em 1em 1em 0; vertical-align: top; } figcaption { color: #555; font-size: 0.9em; }
img { max-width: 100%; image-rendering: pixelated; } .muted { color: #777; } .error { color: #b00020; white-space: pre-wrap; }
.charts svg { width: 100%; height: auto; display: block; margin: 0.5em 0; } .scroll { overflow-x: auto; max-width: 100%; }
td { overflow-wrap: anywhere; } dt { font-weight: 600; margin-top: 0.4em; } dd { margin: 0 0 0.2em 1.2em; }
section#verdict { background: #f6f8fa; padding: 0.2em 1em 0.6em; border-radius: 6px; }
@media print { body { max-width: none; } .scroll { overflow: visible; } }
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def fmt(value: Any) -> str:
    """A stored number as shown: 4 decimals for floats, '–' for missing or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return esc(value)
    return str(value) if isinstance(value, int) else f"{value:.4f}"


def table(headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A table; numbers are right-aligned and formatted with :func:`fmt`, text is escaped."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for v in row:
            num = isinstance(v, (int, float)) and not isinstance(v, bool) or v is None
            cells.append(f'<td class="num">{fmt(v)}</td>' if num else f"<td>{esc(v)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def kv_table(pairs: Iterable[tuple[str, Any]]) -> str:
    """A two-column key/value table."""
    return table(("", ""), pairs).replace("<thead><tr><th></th><th></th></tr></thead>", "")


def png_figure(path: Path, caption: str) -> str:
    """A PNG file inlined as a base64 ``data:`` URI, with its caption."""
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    return (f'<figure><img alt="{esc(caption)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>")


def section(title: str, body: str, anchor: str = "") -> str:
    """A titled section; '' when ``body`` is empty, so the report never prints an empty heading."""
    if not body:
        return ""
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f"<section{ident}><h2>{esc(title)}</h2>{body}</section>"


def page(title: str, body: str) -> str:
    """The whole self-contained document."""
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f"<style>{CSS}</style></head><body>{body}</body></html>")
