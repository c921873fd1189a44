"""Forgetting score and NoMUS (the MUFAC/MUCAC paper's combined score).

Both read ``mia_acc``, so they follow its matched non-members (core/metrics/nonmembers.py) and are
NaN where it is. They keep the paper's reference of 0.5; the gold model's own value, the target a
method should match, is compared by ``mia_gold_gap`` (core/metrics/mia.py) and by reading the gold row.
"""

from __future__ import annotations

import math

from core.metric_keys import Key
from core.metrics.base import Evaluation, metric

NOMUS_LAMBDA = 0.5


def forgetting_score(mia_acc: float) -> float:
    """``|M - 0.5|``: 0 when the attacker is at chance."""
    return abs(mia_acc - 0.5)


def nomus(acc: float, mia_acc: float, lam: float = NOMUS_LAMBDA) -> float:
    """``λ·acc + (1 − λ)·(1 − 2|M − 0.5|)``, in [0, 1]; higher is better."""
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"nomus lambda must be in [0, 1], got {lam}")
    return lam * acc + (1 - lam) * (1 - 2 * forgetting_score(mia_acc))


@metric("nomus", "forgetting_score = |mia_acc - 0.5| and nomus = λ·test_acc + (1-λ)(1 - 2·forgetting_score)", live=True,
        applies=lambda ev: "mia_acc" in ev.results and "test_acc" in ev.results, keys=(
            Key("forgetting_score", "Forgetting score", "The paper's distance of the membership attack from a coin "
                "toss, |MIA − 0.5| (0 best); compare it with the gold model's.", "lower", (0.0, 0.5), headline=True),
            Key("nomus", "NoMUS", "The paper's one score for both goals: half test accuracy, half how close the attack "
                "is to a coin toss (1 is best); compare it with the gold model's.", "higher", (0.0, 1.0), live=True,
                color="#7b4fbf", headline=True)))
def nomus_metric(ev: Evaluation) -> dict[str, float]:
    m, acc = ev.results["mia_acc"], ev.results["test_acc"]
    if math.isnan(m):
        return {"forgetting_score": float("nan"), "nomus": float("nan")}
    lam = float(ev.settings.get("nomus_lambda", NOMUS_LAMBDA))  # the scenario's evaluation.nomus_lambda
    return {"forgetting_score": forgetting_score(m), "nomus": nomus(acc, m, lam)}
