"""Plotly figures of a run: the live per-epoch chart and the final comparison of the three models.

Pure functions of the stored events / results, so they are tested without Streamlit. ``uirevision``
is fixed so that a user's zoom survives the once-a-second redraws of the live view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol

import plotly.graph_objects as go

from core.metric_keys import Key
from core.metric_words import declared, key_of
from core.pipeline import STAGES
from dashboard.figures.figure_layout import legend_below
from dashboard.components.glossary import metric_label
from dashboard.figures.palette import metric_color, model_color, model_role


@dataclass(frozen=True)
class Reference:
    """A dotted line drawn when ``metric`` is on the chart: a fixed ``value``, or the last value of ``source``
    in the events (else the gold row's ``gold_metric`` in the final results)."""

    metric: str
    text: str
    value: float | None = None
    source: str | None = None
    gold_metric: str | None = None
    color: str | None = None


# Every live metric a run may report, in drawing order: the declared keys (core/metrics/*.py) that are live and
# have a colour. Each names which way is better; a "target" key is better closer to its ``target`` key's value
# (the gold model's attack accuracy for the attack, the attribute's chance rate for the attribute attacker:
# falling below either is no improvement). A chart draws those present in its events.
LIVE_REGISTRY: tuple[Key, ...] = tuple(k for k in declared() if k.live and k.color)
LIVE_METRICS = tuple(m.name for m in LIVE_REGISTRY)
LIVE_BY_NAME = {m.name: m for m in LIVE_REGISTRY}
GOLD_LINE_TEXT = "gold model (the attack accuracy to match)"
REFERENCES: tuple[Reference, ...] = (
    Reference("mia_acc", GOLD_LINE_TEXT, source="gold_mia_acc", gold_metric="mia_acc", color=model_color("gold")),
    Reference("mia_acc", "coin toss", value=key_of("mia_acc").chance),
    Reference("efficacy", "attribute chance (fully removed)", source="efficacy_chance"),
)
METHOD_PHASE = "unlearn"  # the pipeline's name for the phase in which the method reports its own stages
PIPELINE_STAGES = tuple(s for s in STAGES if s != METHOD_PHASE)  # data, original, gold, evaluate
RESULT_CHART_METRICS = ("test_acc", "retain_acc", "forget_acc", "mia_acc", "nomus", "fidelity", "efficacy",
                        "efficacy_chance", "aum", "aum_normalized")
UIREVISION = "live-run"


class EventLike(Protocol):
    stage: str
    step: int
    total: int
    metrics: dict


def is_method_stage(stage: str) -> bool:
    """Stages other than the pipeline's own belong to the unlearning method."""
    return stage not in PIPELINE_STAGES


def unlearning_points(events: Iterable[EventLike]) -> list[EventLike]:
    """The method's events that carry live metrics, in order: one per unlearning epoch."""
    return [e for e in events if is_method_stage(e.stage) and any(m in e.metrics for m in LIVE_METRICS)]


def live_series(events: Iterable[EventLike]) -> dict[str, tuple[list[int], list[float | None]]]:
    """Per live metric, the epoch numbers (1, 2, ... across all method stages) and values."""
    points = unlearning_points(events)
    xs = list(range(1, len(points) + 1))
    return {m: (xs, [p.metrics.get(m) for p in points]) for m in LIVE_METRICS
            if any(p.metrics.get(m) is not None for p in points)}


def live_color(name: str) -> str:
    """A metric's declared colour (the palette's grey for a name without one)."""
    return metric_color(name)


def merged_series(series: dict[str, tuple[list[int], list[float | None]]]) -> dict[str, list[str]]:
    """Series to draw, each with the names of the metrics it stands for: a metric whose values equal an
    earlier one's all along (fidelity is test accuracy on attribute runs) joins that trace, not a new one."""
    kept: dict[str, list[str]] = {}
    for name, (_, ys) in series.items():
        twin = next((k for k in kept if series[k][1] == ys), None)
        if twin is None:
            kept[name] = [name]
        else:
            kept[twin].append(name)
    return kept


def shown_metrics(events: Iterable[EventLike]) -> list[str]:
    """The live metrics an events list carries, one per drawn trace (duplicates folded in)."""
    return list(merged_series(live_series(events)))


def latest_value(events: Iterable[EventLike], name: str) -> float | None:
    """The last reported value of ``name`` in any event (the gold line's value comes before the epochs)."""
    values = [e.metrics.get(name) for e in events if e.metrics.get(name) is not None]
    return values[-1] if values else None


def gold_metric(results: dict[str, Any] | None, name: str) -> float | None:
    """The gold model's final value of ``name`` in a results document, if any."""
    rows = [r for r in result_rows(results) if r.get("model") == "gold"]
    value = rows[-1]["metrics"].get(name) if rows else None
    return None if value is None or value != value else value  # NaN: no number to draw


def reference_value(ref: Reference, events: list[EventLike], results: dict[str, Any] | None = None) -> float | None:
    """Where a reference line lies: its fixed value, the last reported value of its source metric, or the
    gold row's final value. The event value comes first: it is computed as the chart's points are."""
    if ref.value is not None:
        return ref.value
    found = latest_value(events, ref.source) if ref.source else None
    if found is None and ref.gold_metric:
        found = gold_metric(results, ref.gold_metric)
    return found


def target_value(name: str, events: list[EventLike], results: dict[str, Any] | None = None) -> float | None:
    """The value a ``"target"`` metric should approach (its reference line's), or None when unknown."""
    entry = LIVE_BY_NAME.get(name)
    ref = next((r for r in REFERENCES if entry and entry.target and r.metric == name and r.source == entry.target), None)
    return reference_value(ref, events, results) if ref else None


def add_references(fig: go.Figure, drawn: Iterable[str], events: list[EventLike],
                   results: dict[str, Any] | None = None) -> None:
    """Dotted reference lines of drawn metrics: the gold model's attack accuracy (the target) and the coin
    toss for the attack, chance for the attribute attacker."""
    drawn = set(drawn)
    for ref in REFERENCES:
        y = reference_value(ref, events, results) if ref.metric in drawn else None
        if y is not None:
            color = ref.color or live_color(ref.metric)
            fig.add_hline(y=y, line={"dash": "dash" if ref.color else "dot", "color": color, "width": 1.5 if ref.color else 1},
                          annotation_text=ref.text, annotation_position="top right" if ref.color else "bottom right",
                          annotation_font_color=color)


DELTA_COLORS = {"higher": "normal", "lower": "inverse", None: "off"}  # Streamlit's delta colour per direction


@dataclass(frozen=True)
class Tile:
    """One latest-value tile: label, shown value, change (number or text) and Streamlit's delta colour."""

    name: str
    label: str
    value: str
    delta: float | str | None
    delta_color: str


def tile(name: str, value: float | None, prev: float | None, target: float | None = None) -> Tile:
    """The tile of a live metric: the change since the epoch before, coloured by the metric's direction.

    A ``"target"`` metric shows the change of its distance to the target (``-0.020 to gold``: 0.02
    closer, green); when the target is not known yet the change is shown uncoloured."""
    entry = LIVE_BY_NAME[name]
    shown = "–" if value is None else f"{value:.3f}"
    if value is None or prev is None:
        return Tile(name, metric_label(name), shown, None, "normal")
    if entry.better == "target":
        if target is None:
            return Tile(name, metric_label(name), shown, round(value - prev, 4), "off")
        closer = abs(value - target) - abs(prev - target)
        return Tile(name, metric_label(name), shown, f"{closer:+.3f} to {entry.target_word}", "inverse")
    return Tile(name, metric_label(name), shown, round(value - prev, 4), DELTA_COLORS[entry.better])


def latest_tiles(events: Iterable[EventLike], names: list[str], results: dict[str, Any] | None = None) -> list[Tile]:
    """The last epoch's value of each drawn live metric, with its change since the epoch before."""
    events = list(events)
    points = unlearning_points(events)
    if not points:
        return []
    last, prev = points[-1].metrics, (points[-2].metrics if len(points) > 1 else {})
    return [tile(n, last.get(n), prev.get(n), target_value(n, events, results)) for n in names]


def live_chart(events: Iterable[EventLike], height: int = 380, results: dict[str, Any] | None = None) -> go.Figure:
    """The live metrics present in the events (accuracy, attack, NoMUS; fidelity, efficacy, AUM on
    attribute runs) per unlearning epoch, with their reference lines (the gold model's attack accuracy
    from the events, else from ``results``)."""
    events = list(events)
    series = live_series(events)
    fig = go.Figure()
    for name, names in merged_series(series).items():
        xs, ys = series[name]
        label = " = ".join(metric_label(n) for n in names)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=label,
                                 line={"color": live_color(name), "width": 2}, marker={"size": 7},
                                 meta=name, hovertemplate="epoch %{x}: %{y:.3f}<extra>" + label + "</extra>"))
    add_references(fig, series, events, results)
    add_final_markers(fig, series, results)
    fig.update_layout(uirevision=UIREVISION, height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      hovermode="x unified")
    fig.update_xaxes(title_text="unlearning epoch", dtick=1)
    fig.update_yaxes(title_text="score", range=[0, 1.02])
    return legend_below(fig)  # outside the plot: a legend over the curves hides them at projector width


FINAL_MARKER_TEXT = "final (all images, final attacker)"


def add_final_markers(fig: go.Figure, series: dict[str, tuple[list[int], list[float | None]]],
                      results: dict[str, Any] | None) -> None:
    """The unlearned model's final value of each drawn metric as its own marker after the last epoch.

    Live points use a subset of each split and a fast probe; the final table scores every image with the
    final attacker, so the two may differ, and the chart shows both rather than let one pass for the other."""
    rows = [r for r in result_rows(results) if model_role(r.get("model", "")) == "unlearned"]
    if not rows or not series:
        return
    final, x = rows[-1].get("metrics", {}), max((max(xs) for xs, _ in series.values() if xs), default=0) + 0.5
    for name in series:
        value = final.get(name)
        if value is None or value != value:
            continue
        fig.add_trace(go.Scatter(x=[x], y=[value], mode="markers", name=f"{metric_label(name)}: {FINAL_MARKER_TEXT}",
                                 meta=f"final:{name}", showlegend=False,
                                 marker={"symbol": "star", "size": 13, "color": live_color(name),
                                         "line": {"width": 1, "color": "#333"}},
                                 hovertemplate=f"final: %{{y:.3f}}<extra>{metric_label(name)}</extra>"))


def result_rows(results: dict[str, Any] | None) -> list[dict]:
    """The ``results`` rows (one per model) of a run's results document; [] when there are none."""
    return list((results or {}).get("results", []))


def results_chart(results: dict[str, Any] | None, metrics: tuple[str, ...] = RESULT_CHART_METRICS) -> go.Figure:
    """Grouped bars: each metric side by side for the original, gold and unlearned models."""
    fig = go.Figure()
    for row in result_rows(results):
        shown = [m for m in metrics if m in row["metrics"]]
        ci = row.get("metric_ci") or {}  # 95% bootstrap intervals as error bars, where the run stored them
        lo_hi = [ci.get(m) or [row["metrics"][m]] * 2 for m in shown]
        bars = {"type": "data", "symmetric": False, "array": [max(h - row["metrics"][m], 0) for m, (_, h) in zip(shown, lo_hi)],
                "arrayminus": [max(row["metrics"][m] - lo, 0) for m, (lo, _) in zip(shown, lo_hi)]} if ci else None
        fig.add_trace(go.Bar(x=[metric_label(m) for m in shown], y=[row["metrics"][m] for m in shown], error_y=bars,
                             name=f"{row['model']} ({model_role(row['model'])})" if model_role(row["model"]) == "unlearned"
                             else row["model"], marker_color=model_color(row["model"]), meta=row["model"],
                             hovertemplate="%{x}: %{y:.3f}<extra>" + row["model"] + "</extra>"))
    fig.update_layout(barmode="group", height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    legend_below(fig)
    fig.update_yaxes(range=[0, 1.02])
    return fig
