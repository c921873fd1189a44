"""The Sweeps page's figures, as pure functions of the trial rows (``core.sweep.summary.trial_rows``),
so they are tested without Streamlit: a parallel-coordinates plot of axes and metrics, and the Pareto
front of test accuracy (higher is better) against forgetting score and unlearning time (lower is better)."""

from __future__ import annotations

import json
import math
from typing import Any

import plotly.graph_objects as go

OBJECTIVES = (("test_acc", 1), ("forgetting_score", -1), ("seconds", -1))  # +1: maximise, -1: minimise
LABELS = {"test_acc": "test accuracy", "forgetting_score": "forgetting score (0 best)",
          "seconds": "unlearning time (s)", "nomus": "NoMUS"}


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def scored(rows: list[dict]) -> list[dict]:
    """The trials that have every objective (succeeded ones with numbers)."""
    return [r for r in rows if all(_finite(r.get(k)) for k, _ in OBJECTIVES)]


def dominates(a: dict, b: dict) -> bool:
    """``a`` is at least as good as ``b`` on every objective and better on one."""
    better = [sign * (a[k] - b[k]) for k, sign in OBJECTIVES]
    return all(d >= 0 for d in better) and any(d > 0 for d in better)


def pareto_front(rows: list[dict]) -> list[int]:
    """The trial numbers of the scored rows no other scored row dominates."""
    pts = scored(rows)
    return [p["trial"] for p in pts if not any(dominates(q, p) for q in pts if q is not p)]


def _axis(values: list, label: str) -> dict:
    """A parcoords dimension; text values become evenly spaced ticks."""
    if all(_finite(v) for v in values):
        return {"label": label, "values": values}
    names = sorted({json.dumps(v) if not isinstance(v, str) else v for v in values})
    code = {n: i for i, n in enumerate(names)}
    as_text = [json.dumps(v) if not isinstance(v, str) else v for v in values]
    return {"label": label, "values": [code[v] for v in as_text], "tickvals": list(range(len(names))), "ticktext": names}


def parallel_coordinates(rows: list[dict], axes: list[str]) -> go.Figure:
    """One line per scored trial across its axis values and metrics, coloured by NoMUS."""
    pts = scored(rows)
    dims = [_axis([r.get(a) for r in pts], a) for a in axes]
    dims += [_axis([r[m] for r in pts], LABELS[m]) for m in ("test_acc", "forgetting_score", "seconds")]
    nomus = [r.get("nomus") if _finite(r.get("nomus")) else 0.0 for r in pts]
    fig = go.Figure(go.Parcoords(dimensions=dims, line={"color": nomus, "colorscale": "Viridis", "showscale": True,
                                                        "colorbar": {"title": "NoMUS"}}))
    fig.update_layout(title="Trials across the sweep's axes and their metrics", margin={"l": 60, "r": 40})
    return fig


def pareto_figure(rows: list[dict], axes: list[str]) -> go.Figure:
    """Test accuracy against forgetting score, colour = time; the Pareto-optimal trials ringed and named."""
    pts = scored(rows)
    front = set(pareto_front(rows))
    text = [", ".join(f"{a}={r.get(a)}" for a in axes) for r in pts]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=[r["forgetting_score"] for r in pts], y=[r["test_acc"] for r in pts], mode="markers", name="trials",
        text=text, customdata=[[r["seconds"], r["trial"]] for r in pts],
        hovertemplate="%{text}<br>forgetting %{x:.3f}, test acc %{y:.3f}, %{customdata[0]:.1f} s<extra></extra>",
        marker={"size": 11, "color": [r["seconds"] for r in pts], "colorscale": "Plasma", "showscale": True,
                "colorbar": {"title": "seconds"}}))
    on = [r for r in pts if r["trial"] in front]
    fig.add_trace(go.Scatter(x=[r["forgetting_score"] for r in on], y=[r["test_acc"] for r in on], mode="markers",
                             name="Pareto front (accuracy, forgetting, time)", hoverinfo="skip",
                             marker={"size": 18, "symbol": "circle-open", "line": {"width": 2}, "color": "black"}))
    fig.update_layout(title="Test accuracy vs forgetting vs time: the Pareto front", xaxis_title=LABELS["forgetting_score"],
                      yaxis_title=LABELS["test_acc"], legend={"orientation": "h", "y": -0.2})
    return fig
