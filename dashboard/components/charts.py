"""Plotly figures of a run: the live per-epoch chart and the final comparison of the three models.

Pure functions of the stored events / results, so they are tested without Streamlit. ``uirevision``
is fixed so that a user's zoom survives the once-a-second redraws of the live view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Protocol

import plotly.graph_objects as go

from core.pipeline import STAGES
from dashboard.components.glossary import metric_label
from dashboard.components.palette import metric_color, model_color, model_role


@dataclass(frozen=True)
class LiveMetric:
    """A per-epoch metric the live chart knows how to draw: its colour and which way is better."""

    name: str
    color: str
    lower_is_better: bool = False


@dataclass(frozen=True)
class Reference:
    """A dotted line drawn when ``metric`` is on the chart: a fixed ``value`` or the last value of ``source``."""

    metric: str
    text: str
    value: float | None = None
    source: str | None = None


# Every live metric a run may report, in drawing order; a chart draws those present in its events.
LIVE_REGISTRY: tuple[LiveMetric, ...] = (
    LiveMetric("test_acc", metric_color("test_acc")),
    LiveMetric("mia_acc", metric_color("mia_acc"), lower_is_better=True),
    LiveMetric("nomus", metric_color("nomus")),
    LiveMetric("fidelity", "#17becf"),
    LiveMetric("efficacy", "#ff7f0e", lower_is_better=True),
    LiveMetric("aum", "#2ca02c"),
)
LIVE_METRICS = tuple(m.name for m in LIVE_REGISTRY)
LIVE_BY_NAME = {m.name: m for m in LIVE_REGISTRY}
REFERENCES: tuple[Reference, ...] = (
    Reference("mia_acc", "coin toss (attack fails)", value=0.5),
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
    """The registry's colour of a live metric (the palette's for any other name)."""
    entry = LIVE_BY_NAME.get(name)
    return entry.color if entry else metric_color(name)


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


def reference_value(ref: Reference, points: list[EventLike]) -> float | None:
    """Where a reference line lies: its fixed value, or the last reported value of its source metric."""
    if ref.value is not None:
        return ref.value
    values = [p.metrics.get(ref.source) for p in points if p.metrics.get(ref.source) is not None]
    return values[-1] if values else None


def add_references(fig: go.Figure, drawn: Iterable[str], points: list[EventLike]) -> None:
    """Dotted reference lines (coin toss for the attack, chance for the attribute attacker) of drawn metrics."""
    drawn = set(drawn)
    for ref in REFERENCES:
        y = reference_value(ref, points) if ref.metric in drawn else None
        if y is not None:
            color = live_color(ref.metric)
            fig.add_hline(y=y, line={"dash": "dot", "color": color, "width": 1}, annotation_text=ref.text,
                          annotation_position="bottom right", annotation_font_color=color)


def live_chart(events: Iterable[EventLike], height: int = 380) -> go.Figure:
    """The live metrics present in the events (accuracy, attack, NoMUS; fidelity, efficacy, AUM on
    attribute runs) per unlearning epoch, with their reference lines."""
    events = list(events)
    series = live_series(events)
    fig = go.Figure()
    for name, names in merged_series(series).items():
        xs, ys = series[name]
        label = " = ".join(metric_label(n) for n in names)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=label,
                                 line={"color": live_color(name), "width": 2}, marker={"size": 7},
                                 meta=name, hovertemplate="epoch %{x}: %{y:.3f}<extra>" + label + "</extra>"))
    add_references(fig, series, unlearning_points(events))
    fig.update_layout(uirevision=UIREVISION, height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": 1.08, "x": 0}, hovermode="x unified")
    fig.update_xaxes(title_text="unlearning epoch", dtick=1)
    fig.update_yaxes(title_text="score", range=[0, 1.02])
    return fig


def result_rows(results: dict[str, Any] | None) -> list[dict]:
    """The ``results`` rows (one per model) of a run's results document; [] when there are none."""
    return list((results or {}).get("results", []))


def results_chart(results: dict[str, Any] | None, metrics: tuple[str, ...] = RESULT_CHART_METRICS) -> go.Figure:
    """Grouped bars: each metric side by side for the original, gold and unlearned models."""
    fig = go.Figure()
    for row in result_rows(results):
        shown = [m for m in metrics if m in row["metrics"]]
        fig.add_trace(go.Bar(x=[metric_label(m) for m in shown], y=[row["metrics"][m] for m in shown],
                             name=f"{row['model']} ({model_role(row['model'])})" if model_role(row["model"]) == "unlearned"
                             else row["model"], marker_color=model_color(row["model"]), meta=row["model"],
                             hovertemplate="%{x}: %{y:.3f}<extra>" + row["model"] + "</extra>"))
    fig.update_layout(barmode="group", height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      legend={"orientation": "h", "y": 1.12, "x": 0})
    fig.update_yaxes(range=[0, 1.02])
    return fig
