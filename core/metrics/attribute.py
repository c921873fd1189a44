"""Attribute-unlearning scores (the representation-detachment paper, section 4.2).

``efficacy``: accuracy of an attacker trained on (h, z) pairs from the model under test (lower is
better; the ResNet-18 attacker for final tables, the linear probe on live charts).
``efficacy_chance``: the attribute's majority-class rate on test, the floor a perfect removal reaches.
``fidelity``: top-1 task accuracy on test.
``aum``: the paper's Attribute Unlearning Measure, eq. (5): the harmonic mean of the efficacy score
and the fidelity, where the efficacy score is ``1 − efficacy`` (Table 1 checks out with that:
Fairface ResNet-18, efficacy 0.1352 and fidelity 0.7950 give 0.8284).
``aum_normalized``: the same with the efficacy score rescaled so that chance counts as full removal,
``1 − (efficacy − chance)/(1 − chance)`` clipped to [0, 1]; plain AUM caps a perfect removal of a
binary attribute at HM(0.5, fidelity), which hides how close to chance a method gets.
"""

from __future__ import annotations

import math

from core.metrics.accuracy import split_accuracy
from core.metrics.attacker import AttackResult, NetAttackerSettings, linear_probe, resnet_attacker
from core.metrics.base import Evaluation, metric


def harmonic_mean(a: float, b: float) -> float:
    """2ab / (a + b), 0 when both are 0."""
    return 0.0 if a + b <= 0 else 2 * a * b / (a + b)


def aum(efficacy: float, fidelity: float) -> float:
    """The paper's AUM: harmonic mean of (1 − efficacy) and fidelity."""
    return harmonic_mean(1.0 - efficacy, fidelity)


def normalized_efficacy(efficacy: float, chance: float) -> float:
    """Efficacy above chance as a share of what is above chance: 0 at chance, 1 at a perfect attacker."""
    if chance >= 1.0:
        return 0.0
    return min(1.0, max(0.0, (efficacy - chance) / (1.0 - chance)))


def aum_normalized(efficacy: float, chance: float, fidelity: float) -> float:
    """AUM with the efficacy score ``1 − normalized_efficacy``: chance-level efficacy scores 1."""
    return harmonic_mean(1.0 - normalized_efficacy(efficacy, chance), fidelity)


def attribute_scores(attack: AttackResult, fidelity: float) -> dict[str, float]:
    """The five named scores from one attack result and the task accuracy."""
    return {"efficacy": attack.efficacy, "efficacy_chance": attack.chance, "fidelity": fidelity,
            "aum": aum(attack.efficacy, fidelity),
            "aum_normalized": aum_normalized(attack.efficacy, attack.chance, fidelity)}


def is_attribute_request(ev: Evaluation) -> bool:
    return ev.splits.request.kind == "attribute" and bool(ev.splits.request.column)


@metric("attribute", "efficacy (attacker accuracy on h -> z), efficacy_chance, fidelity (test accuracy), "
        "aum = HM(1 - efficacy, fidelity) and aum_normalized (chance counts as full removal)",
        live=True, applies=is_attribute_request)
def attribute_metric(ev: Evaluation) -> dict[str, float]:
    column = ev.splits.request.column
    if ev.live:
        attack = linear_probe(ev.model, ev.splits, column, ev.device, limit=ev.live_limit)
    else:
        attack = resnet_attacker(ev.model, ev.splits, column, ev.device, settings=NetAttackerSettings())
    fidelity = ev.results.get("test_acc", float("nan"))
    if math.isnan(fidelity):  # accuracy was not part of this evaluation
        fidelity = split_accuracy(ev, "test")
    return attribute_scores(attack, fidelity)
