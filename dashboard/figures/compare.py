"""Runs side by side: facets to filter on, the final-metric table, the utility/forgetting scatter and
the per-epoch curves overlaid. Pure builders of stored runs and events (tested without Streamlit)."""

from __future__ import annotations

from typing import Any, Iterable

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.charts import LIVE_METRICS, live_series, result_rows, shown_metrics
from dashboard.components.glossary import metric_label
from dashboard.figures.palette import model_color, model_role, run_colors
from dashboard.components.tables import CI_SUFFIX, METRIC_ORDER, interval_columns, with_intervals

FACETS = ("dataset", "forget", "method")
CURVE_METRICS = LIVE_METRICS  # every per-epoch metric a run may report; curve_metrics picks those present


def run_facets(config: dict[str, Any] | None) -> dict[str, str]:
    """What a run can be filtered by: dataset name, forget kind and method name."""
    config = config or {}
    return {"dataset": (config.get("dataset") or {}).get("name", "?"),
            "forget": (config.get("forget") or {}).get("kind", "identities"),
            "method": (config.get("method") or {}).get("name", "?")}


def facet_values(runs: Iterable[Any]) -> dict[str, list[str]]:
    """Every value each facet takes among ``runs``, sorted."""
    seen: dict[str, set] = {f: set() for f in FACETS}
    for r in runs:
        for k, v in run_facets(r.config).items():
            seen[k].add(v)
    return {k: sorted(v) for k, v in seen.items()}


def filter_runs(runs: Iterable[Any], chosen: dict[str, list[str]]) -> list[Any]:
    """Runs whose facets are all among the chosen values (an empty choice means any)."""
    return [r for r in runs if all(not chosen.get(k) or v in chosen[k] for k, v in run_facets(r.config).items())]


def short_label(run: Any) -> str:
    return f"{run_facets(run.config)['method']} · {run.id[-6:]}"


def compare_table(runs: list[Any]) -> pd.DataFrame:
    """One row per run (its unlearned model) plus the original and gold rows of the first run as a reference."""
    rows: list[dict] = []
    used: list[dict] = []  # the result rows shown (their metric_ci decide the interval columns)
    for i, run in enumerate(runs):
        for r in result_rows(run.results):
            role = model_role(r["model"])
            if role == "unlearned" or i == 0:
                used.append(r)
                label = short_label(run) if role == "unlearned" else f"{role} (reference)"
                rows.append({"run": label, "id": run.id, "role": role, **run_facets(run.config), **r["metrics"],
                             **interval_columns(r, r["metrics"])})
    if not rows:
        return pd.DataFrame(columns=["run", "id", "role", *FACETS])
    order = {"unlearned": 0, "original": 1, "gold": 2}
    rows.sort(key=lambda d: order[d["role"]])
    metrics = [m for m in METRIC_ORDER if any(m in d for d in rows)]
    metrics += sorted({k for d in rows for k in d if not k.endswith(CI_SUFFIX)} - set(metrics) - {"run", "id", "role", *FACETS})
    return pd.DataFrame(rows, columns=["run", "id", "role", *FACETS, *with_intervals(metrics, used)])


def error_bar(row: dict[str, Any], name: str, value: float | None) -> dict[str, Any] | None:
    """A plotly asymmetric error bar from a row's stored 95% interval of ``name`` (None when there is none)."""
    ci = (row.get("metric_ci") or {}).get(name)
    if value is None or not ci or any(v is None or v != v for v in ci):
        return None
    return {"type": "data", "symmetric": False, "array": [max(ci[1] - value, 0.0)],
            "arrayminus": [max(value - ci[0], 0.0)], "thickness": 1.5}


def forgetting(metrics: dict[str, float]) -> tuple[str, float | None]:
    """How far the attack reads from forgotten, 0 best, and which metric says so: the distance to the gold
    model's own attack accuracy (``mia_gold_gap``: gold is the reference, issue 11), or, for runs stored
    before that existed, the forgetting score |MIA − 0.5| (computed from mia_acc when not stored)."""
    for key in ("mia_gold_gap", "forgetting_score"):
        v = metrics.get(key)
        if v is not None and v == v:
            return key, v
    mia = metrics.get("mia_acc")
    return "forgetting_score", (None if mia is None or mia != mia else abs(mia - 0.5))


FORGETTING_AXIS = {"mia_gold_gap": "attack accuracy's distance to the gold model's (0 is best: left)",
                   "forgetting_score": "forgetting score |MIA − 0.5| (0 is best: left)"}
MIXED_AXIS = "distance from forgotten (gold gap where stored, else |MIA − 0.5|; 0 is best: left)"


def tradeoff_chart(runs: list[Any]) -> go.Figure:
    """Test accuracy against the attack's distance from forgotten (see :func:`forgetting`): one point per run (its colour), the reference models as crosses;
    the 95% bootstrap intervals as error bars where the runs stored them."""
    colors = run_colors([r.id for r in runs])
    fig = go.Figure()
    used: set[str] = set()
    for i, run in enumerate(runs):
        for r in result_rows(run.results):
            role, m = model_role(r["model"]), r["metrics"]
            if role != "unlearned" and i > 0:
                continue
            key, x = forgetting(m)
            y = m.get("test_acc")
            if x is None or y is None:
                continue
            used.add(key)
            unlearned = role == "unlearned"
            fig.add_trace(go.Scatter(
                x=[x], y=[y], mode="markers", name=short_label(run) if unlearned else f"{role} (reference)",
                meta=run.id if unlearned else role,
                marker={"size": 14 if unlearned else 12, "symbol": "circle" if unlearned else "x",
                        "color": colors[run.id] if unlearned else model_color(role)},
                error_x=error_bar(r, key, x), error_y=error_bar(r, "test_acc", y),
                hovertemplate=f"{key} %{{x:.3f}}<br>test accuracy %{{y:.3f}}<extra>%{{fullData.name}}</extra>"))
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": 1.12, "x": 0})
    axis = FORGETTING_AXIS[used.pop()] if len(used) == 1 else MIXED_AXIS
    fig.update_xaxes(title_text=axis, rangemode="tozero")
    fig.update_yaxes(title_text="test accuracy (higher is better)")
    return fig


def curve_metrics(events: dict[str, list]) -> list[str]:
    """The live metrics that at least one of the runs' events carries, in the registry's order
    (accuracy, attack and NoMUS for every run; fidelity, efficacy and AUM where a run targets an attribute)."""
    present = {m for evs in events.values() for m in shown_metrics(evs)}
    return [m for m in CURVE_METRICS if m in present]


def curves_chart(runs: list[Any], events: dict[str, list], metric: str = "test_acc") -> go.Figure:
    """One live metric per unlearning epoch, one line per run in its colour."""
    colors = run_colors([r.id for r in runs])
    fig = go.Figure()
    for run in runs:
        series = live_series(events.get(run.id, []))
        if metric in series:
            xs, ys = series[metric]
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines+markers", name=short_label(run), meta=run.id,
                                     line={"color": colors[run.id], "width": 2}))
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 30, "b": 10}, legend={"orientation": "h", "y": 1.12, "x": 0})
    fig.update_xaxes(title_text="unlearning epoch", dtick=1)
    fig.update_yaxes(title_text=metric_label(metric), range=[0, 1.02])
    return fig

