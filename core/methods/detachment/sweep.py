"""Hyper-parameter sensitivity (the paper's Figure 6): AUM over a λ2 × λ3 grid at a fixed λ1."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Sequence

from core.progress import Progress, silent


@dataclass
class SweepResult:
    """Scores per grid cell: rows follow ``lambda2s``, columns ``lambda3s``."""

    lambda1: float
    lambda2s: list[float]
    lambda3s: list[float]
    attacker: str
    aum: list[list[float]]
    aum_normalized: list[list[float]]
    efficacy: list[list[float]]
    fidelity: list[list[float]]

    def as_dict(self) -> dict:
        return asdict(self)


def sensitivity_sweep(prep, lambda1: float, lambda2s: Sequence[float], lambda3s: Sequence[float],
                      params: dict | None = None, attacker: str = "linear", progress: Progress = silent) -> SweepResult:
    """Run ``detachment`` from ``prep``'s original model for every (λ2, λ3) and score each result.

    ``prep`` is a :class:`core.pipeline.Prepared` on an attribute request; ``params`` holds the other
    hyper-parameters (epochs, mode, ...). ``attacker`` is ``linear`` (fast) or ``resnet``.
    """
    from core.metrics.attribute import evaluate_attribute
    from core.pipeline import run_method

    cells = {k: [[0.0] * len(lambda3s) for _ in lambda2s] for k in ("aum", "aum_normalized", "efficacy", "fidelity")}
    total, done = len(lambda2s) * len(lambda3s), 0
    for i, l2 in enumerate(lambda2s):
        for j, l3 in enumerate(lambda3s):
            cell = {**(params or {}), "lambda1": lambda1, "lambda2": l2, "lambda3": l3, "reconstructions": False}
            model, _, _ = run_method(prep, "detachment", cell)
            scores = evaluate_attribute(model, prep.splits, prep.device, attacker=attacker, seed=prep.scenario.seed)
            for k in cells:
                cells[k][i][j] = scores[k]
            done += 1
            progress(done, total, stage="sensitivity sweep", lambda2=l2, lambda3=l3, aum=scores["aum"])
    return SweepResult(lambda1, list(lambda2s), list(lambda3s), attacker, **cells)


def sweep_heatmap(result: SweepResult, value: str = "aum"):
    """A plotly heatmap of one score over the grid (λ3 across, λ2 down), each cell labelled."""
    import plotly.graph_objects as go

    z = getattr(result, value)
    fig = go.Figure(go.Heatmap(
        z=z, x=[str(v) for v in result.lambda3s], y=[str(v) for v in result.lambda2s], colorscale="Viridis",
        text=[[f"{v:.3f}" for v in row] for row in z], texttemplate="%{text}", colorbar={"title": value}))
    fig.update_layout(title=f"{value} over λ2 × λ3 at λ1 = {result.lambda1} ({result.attacker} attacker)",
                      xaxis_title="λ3 (attribute removal)", yaxis_title="λ2 (task information)")
    return fig
