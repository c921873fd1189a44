"""Hyper-parameter sensitivity (the paper's Figure 6): AUM over a λ2 × λ3 grid at a fixed λ1.

The grid, its result and heatmap live here; the sweep inside a detachment run (:func:`context_sweep`)
trains each cell from the run's context with the method class it is handed, so this module never
imports the method (which imports it). The bench's sweep from a prepared scenario is
:func:`core.bench.sensitivity.sensitivity_sweep`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Callable, Sequence

from torch import nn

from core.methods.base import Context, Method
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


CellScores = Callable[[float, float], dict]
SWEEP_STAGE = "sensitivity sweep"
SWEEP_FILE = "sensitivity_sweep.json"


def grid_sweep(score_cell: CellScores, lambda1: float, lambda2s: Sequence[float], lambda3s: Sequence[float],
               attacker: str, progress: Progress = silent) -> SweepResult:
    """Score every (λ2, λ3) cell with ``score_cell`` and gather the scores into matrices.

    Each finished cell is reported as ``cell_aum`` (not ``aum``) so that live charts, which plot
    ``aum`` per unlearning epoch, do not mistake sweep cells for epochs."""
    cells = {k: [[0.0] * len(lambda3s) for _ in lambda2s] for k in ("aum", "aum_normalized", "efficacy", "fidelity")}
    total, done = len(lambda2s) * len(lambda3s), 0
    for i, l2 in enumerate(lambda2s):
        for j, l3 in enumerate(lambda3s):
            scores = score_cell(l2, l3)
            for k in cells:
                cells[k][i][j] = scores[k]
            done += 1
            progress(done, total, stage=SWEEP_STAGE, lambda2=l2, lambda3=l3, cell_aum=scores["aum"])
    return SweepResult(lambda1, list(lambda2s), list(lambda3s), attacker, **cells)


class SweepContext(Context):
    """A method context whose per-epoch reports skip the live metrics: a sweep cell only needs its final
    score, and its epochs must not show up on the run's live chart. Reports still reach ``progress``
    (without metrics), so a cancel stops the sweep."""

    def report(self, step: int, total: int, model: nn.Module, **extra: float) -> None:
        self.progress(step, total, stage=self.stage)


def context_sweep(ctx: Context, original: nn.Module, params, grid: Sequence[float], method: type[Method],
                  attacker: str = "linear") -> SweepResult:
    """The sweep inside a detachment run: λ2 and λ3 both over ``grid`` at the run's λ1, every cell trained
    from a copy of ``original`` with the run's other hyper-parameters and scored by ``attacker``.

    ``method`` is the class that trains a cell from its params (the caller's own: ``Detachment``)."""
    from core.metrics.attribute import evaluate_attribute
    from core.training import seed_everything

    base = {f.name: getattr(ctx, f.name) for f in fields(Context)}

    def score(l2: float, l3: float) -> dict:
        cell = replace(params, lambda2=l2, lambda3=l3, reconstructions=False, sweep_grid=[])
        sub = SweepContext(**{**base, "model": copy.deepcopy(original).to(ctx.device), "workdir": None,
                              "artifacts": {}, "stage": SWEEP_STAGE})
        seed_everything(ctx.seed)
        model = method(cell).unlearn(sub)
        return evaluate_attribute(model, ctx.splits, ctx.device, attacker=attacker, seed=ctx.seed)

    return grid_sweep(score, params.lambda1, grid, grid, attacker, ctx.progress)


def save_sweep(result: SweepResult, path: Path) -> Path:
    """Write the sweep's matrices as JSON (the Audit page and the report read it back)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result.as_dict(), indent=1))
    return path


def load_sweep(data: dict | None) -> SweepResult | None:
    """A SweepResult from its stored dict (``as_dict``), or None when there is none or it is malformed."""
    try:
        return SweepResult(**data) if data else None
    except TypeError:
        return None


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
