"""Detachment's hyper-parameter sensitivity from a prepared scenario (the paper's Figure 6, ``bench attribute``).

Each (λ2, λ3) cell is a normal detachment run (:func:`core.pipeline.method_run.run_method`) from the prepared
original model, scored by the attribute metric. It lives with the benches, not with the method: a
method learns about other runs only through its ``Context``, so the in-run sweep
(:func:`core.methods.detachment.sweep.context_sweep`) trains its cells from the context instead.
"""

from __future__ import annotations

from typing import Sequence

from core.methods.detachment.sweep import SweepResult, grid_sweep
from core.progress import Progress, silent


def sensitivity_sweep(prep, lambda1: float, lambda2s: Sequence[float], lambda3s: Sequence[float],
                      params: dict | None = None, attacker: str = "linear", progress: Progress = silent) -> SweepResult:
    """Run ``detachment`` from ``prep``'s original model for every (λ2, λ3) and score each result.

    ``prep`` is a :class:`core.pipeline.prepared.Prepared` on an attribute request; ``params`` holds the other
    hyper-parameters (epochs, mode, ...). ``attacker`` is ``linear`` (fast) or ``resnet``.
    """
    from core.pipeline.method_run import run_method
    from core.metrics.attribute import evaluate_attribute

    def score(l2: float, l3: float) -> dict:
        cell = {**(params or {}), "lambda1": lambda1, "lambda2": l2, "lambda3": l3, "reconstructions": False,
                "sweep_grid": []}
        model, _, _ = run_method(prep, "detachment", cell)
        return evaluate_attribute(model, prep.splits, prep.device, attacker=attacker, seed=prep.scenario.seed)

    return grid_sweep(score, lambda1, lambda2s, lambda3s, attacker, progress)
