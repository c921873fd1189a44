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


def stage_chart_svg(stage: str, lines: Series, words=None) -> str:
    """A stage's metrics as readable line charts — two per row, full width in the report — as inline ``<svg>``.

    ``words`` names a metric for a person (``core.metric_words.metric_label``); the name itself otherwise."""
    from matplotlib.figure import Figure  # no pyplot: no global figure state, no GUI backend

    label = words or (lambda n: n)
    names = sorted(lines)
    cols = min(2, len(names))
    rows = math.ceil(len(names) / cols)
    fig = Figure(figsize=(6.4 * cols, 3.4 * rows))
    for i, name in enumerate(names, 1):
        ax = fig.add_subplot(rows, cols, i)
        steps, values = zip(*lines[name])
        ax.plot(steps, values, marker="o", markersize=4, linewidth=1.8)
        ax.set_title(f"{stage}: {label(name)}", fontsize=12)
        ax.set_xlabel("epoch / step", fontsize=11)
        ax.tick_params(labelsize=10)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return _svg(fig)


def roc_svg(curves: dict[str, dict]) -> str:
    """The membership attack's ROC curve of each model (``extras["mia_roc"]``), with the coin-toss diagonal."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 5.0))
    ax = fig.add_subplot(1, 1, 1)
    ax.plot([0, 1], [0, 1], linestyle=":", color="#999999", label="coin toss")
    for model, c in curves.items():
        auc = c.get("auc")
        ax.plot(c["fpr"], c["tpr"], linewidth=2, label=model if auc is None else f"{model} (AUC {auc:.3f})")
    ax.set_xlabel("false-positive rate (unseen images called members)", fontsize=11)
    ax.set_ylabel("true-positive rate (forgotten images caught)", fontsize=11)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.tick_params(labelsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=10, frameon=False)  # below the plot
    fig.tight_layout()
    return _svg(fig)


def _svg(fig) -> str:
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "unlearning-studio"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return _inline(buf.getvalue())


def _inline(svg: str) -> str:
    """The ``<svg>`` element alone: no XML prolog, DOCTYPE or RDF metadata (they name URLs)."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
