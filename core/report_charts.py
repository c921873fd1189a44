"""Per-epoch charts of a run's stored progress events, as inline SVG (matplotlib).

Static SVG rather than plotly: plotly's figures need plotly.js inline (about 4.5 MB per report,
since the file must work offline), while an SVG line chart is a few tens of kB, needs no script and
prints. The interactive charts live in the dashboard; the report is the archived record.
"""

from __future__ import annotations

import io
import math
import re
from collections import defaultdict

Series = dict[str, list[tuple[int, float]]]


def stage_series(events) -> dict[str, Series]:
    """stage -> metric -> [(step, value)] from stored events (finite values only, in event order)."""
    out: dict[str, Series] = defaultdict(lambda: defaultdict(list))
    for e in events:
        for name, v in e.metrics.items():
            if isinstance(v, (int, float)) and math.isfinite(v):
                out[e.stage][name].append((e.step, float(v)))
    return {stage: dict(series) for stage, series in out.items()}


def split_series(series: Series) -> tuple[Series, dict[str, float]]:
    """Metrics with two or more points (worth a line) and the single values reported once."""
    lines = {k: v for k, v in series.items() if len(v) >= 2}
    once = {k: v[0][1] for k, v in series.items() if len(v) == 1}
    return lines, once


def stage_chart_svg(stage: str, lines: Series) -> str:
    """One small line chart per metric of a stage, side by side, as an inline ``<svg>`` element."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot: no global figure state, no GUI backend

    names = sorted(lines)
    fig = Figure(figsize=(3.0 * len(names), 2.4))
    for i, name in enumerate(names, 1):
        ax = fig.add_subplot(1, len(names), i)
        steps, values = zip(*lines[name])
        ax.plot(steps, values, marker="o", markersize=3, linewidth=1.5)
        ax.set_title(f"{stage}: {name}", fontsize=9)
        ax.set_xlabel("epoch / step", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "unlearning-studio"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    return _inline(buf.getvalue())


def _inline(svg: str) -> str:
    """The ``<svg>`` element alone: no XML prolog, DOCTYPE or RDF metadata (they name URLs)."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
