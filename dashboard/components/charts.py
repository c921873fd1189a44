"""Plotly figures of a run: the live per-epoch chart and the final comparison of the three models.

Pure functions of the stored events / results, so they are tested without Streamlit. ``uirevision``
is fixed so that a user's zoom survives the once-a-second redraws of the live view.
"""

from __future__ import annotations

from typing import Any, Iterable, Protocol

import plotly.graph_objects as go

from core.pipeline import STAGES
from dashboard.components.glossary import metric_label
from dashboard.components.palette import metric_color, model_color, model_role

LIVE_METRICS = ("test_acc", "mia_acc", "nomus")
METHOD_PHASE = "unlearn"  # the pipeline's name for the phase in which the method reports its own stages
PIPELINE_STAGES = tuple(s for s in STAGES if s != METHOD_PHASE)  # data, original, gold, evaluate
RESULT_CHART_METRICS = ("test_acc", "retain_acc", "forget_acc", "mia_acc", "nomus")
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


def live_chart(events: Iterable[EventLike], height: int = 380) -> go.Figure:
    """Test accuracy, membership-attack accuracy and NoMUS per unlearning epoch."""
    fig = go.Figure()
    for name, (xs, ys) in live_series(events).items():
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=metric_label(name),
                                 line={"color": metric_color(name), "width": 2}, marker={"size": 7},
                                 meta=name, hovertemplate="epoch %{x}: %{y:.3f}<extra>" + metric_label(name) + "</extra>"))
    fig.add_hline(y=0.5, line={"dash": "dot", "color": metric_color("mia_acc"), "width": 1},
                  annotation_text="coin toss (attack fails)", annotation_position="bottom right",
                  annotation_font_color=metric_color("mia_acc"))
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
