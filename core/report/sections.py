"""The report's renderer of the methods' audit sections (``core.methods.audit_sections``): the same items
the Audit page draws, as HTML — tables escaped, images inlined, plotly figures as static SVG
(``core.report.figures``), a choice of figures as its default one."""

from __future__ import annotations

from pathlib import Path

from core.methods.audit_sections import Choice, Figure, Heading, Image, Table, Text, run_sections
from core.report.figures import plotly_svg
from core.report.html import esc, png_figure, section, table


def method_sections(artifacts, shown: set[Path]) -> list[str]:
    """One report section per registered audit section with something for this run; the images shown are
    added to ``shown`` (so "Other figures" leaves them out)."""
    return [section(s.title, "".join(item_html(i, artifacts.folder, shown) for i in items), f"method-{s.name}")
            for s, items in run_sections(artifacts)]


def item_html(item, folder: Path, shown: set[Path]) -> str:
    """One item as HTML ('' for an item of an unknown kind)."""
    if isinstance(item, Heading):
        return f"<h3>{esc(item.text)}</h3>"
    if isinstance(item, Text):
        return f'<p class="{"error" if item.kind == "warning" else "muted"}">{esc(item.text)}</p>'
    if isinstance(item, Table):
        headers = list(dict.fromkeys(k for row in item.rows for k in row))
        return table(headers, ([row.get(h) for h in headers] for row in item.rows))
    if isinstance(item, Image):
        return _image(item, folder, shown)
    if isinstance(item, Figure):
        return _figure(item)
    if isinstance(item, Choice):
        others = ", ".join(item.labels.get(o, o) for o in item.options if o != item.default)
        note = f'<p class="muted">{esc(item.label)}: {esc(item.labels.get(item.default, item.default))}'
        note += f" (the Audit page also shows {esc(others)})</p>" if others else "</p>"
        return note + _figure(item.options[item.default])
    return ""


def _image(item: Image, folder: Path, shown: set[Path]) -> str:
    path = Path(item.path)
    if not path.is_file():
        return f'<p class="muted">{esc(path.name)} is missing from the run folder</p>'
    shown.add(path.resolve())
    rel = path.relative_to(folder) if path.is_relative_to(folder) else path.name
    return png_figure(path, f"{item.caption} ({rel})" if item.caption else str(rel))


def _figure(item: Figure) -> str:
    caption = f'<p class="muted">{esc(item.caption)}</p>' if item.caption else ""
    return f'<div class="charts">{plotly_svg(item.figure)}</div>{caption}'
