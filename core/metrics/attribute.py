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
``efficacy_<column>``: the attacker's accuracy on each further attribute the evaluation's settings
name under ``extra_attributes`` (a run that removed several attributes at once).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from core.data.splits import Splits
from core.metric_keys import Key
from core.metrics.accuracy import split_accuracy
from core.metrics.attacker import AttackResult, NetAttackerSettings, linear_probe, resnet_attacker
from core.metrics.base import Evaluation, metric
from core.training import predict_logits


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


def attribute_scores(result: AttackResult, fidelity: float) -> dict[str, float]:
    """The five named scores from one attack result and the task accuracy."""
    return {"efficacy": result.efficacy, "efficacy_chance": result.chance, "fidelity": fidelity,
            "aum": aum(result.efficacy, fidelity),
            "aum_normalized": aum_normalized(result.efficacy, result.chance, fidelity)}


def attack(model: nn.Module, splits: Splits, column: str, device: torch.device, attacker: str = "resnet",
           settings: NetAttackerSettings | None = None, limit: int = 2000, seed: int = 0) -> AttackResult:
    """Run the named attacker (``resnet`` for final tables, ``linear`` for live charts) on ``column``."""
    if attacker == "resnet":
        return resnet_attacker(model, splits, column, device, settings=settings or NetAttackerSettings(), seed=seed)
    if attacker == "linear":
        return linear_probe(model, splits, column, device, limit=limit, seed=seed)
    raise ValueError(f"attacker {attacker!r} is not known; allowed: linear, resnet")


def evaluate_attribute(model: nn.Module, splits: Splits, device: torch.device, column: str | None = None,
                       attacker: str = "resnet", settings: NetAttackerSettings | None = None,
                       seed: int = 0) -> dict[str, float]:
    """The five scores for one model outside a pipeline Evaluation (benchmarks, sweeps)."""
    x, y = splits.tensors("test")
    fidelity = splits.task.correct(predict_logits(model, x, device), y).mean().item()
    column = column or splits.request.column
    return attribute_scores(attack(model, splits, column, device, attacker, settings, seed=seed), fidelity)


def is_attribute_request(ev: Evaluation) -> bool:
    return ev.splits.request.kind == "attribute" and bool(ev.splits.request.column)


@metric("attribute", "efficacy (attacker accuracy on h -> z), efficacy_chance, fidelity (test accuracy), "
        "aum = HM(1 - efficacy, fidelity) and aum_normalized (chance counts as full removal)",
        live=True, applies=is_attribute_request, keys=(
            Key("efficacy", "Attacker efficacy", "Accuracy of an attacker reading the hidden features for the forgotten "
                "attribute: the closer to its chance rate the better (below chance is no better).", "target",
                (0.0, 1.0), live=True, color="#ff7f0e", target="efficacy_chance", target_word="chance", headline=True),
            Key("efficacy_chance", "Attacker chance", "What the attribute attacker gets by always guessing the most "
                "common value: the floor.", range=(0.0, 1.0)),
            Key("fidelity", "Fidelity", "Task accuracy after attribute unlearning: the model must stay useful.",
                "higher", (0.0, 1.0), live=True, color="#17becf", headline=True),
            Key("aum", "AUM", "Harmonic mean of (1 − efficacy) and fidelity: high only when both are good.", "higher",
                (0.0, 1.0), live=True, color="#2ca02c", headline=True),
            Key("aum_normalized", "AUM (chance-normalised)", "AUM with chance-level efficacy counted as full removal: "
                "plain AUM caps a perfect removal of a binary attribute at HM(0.5, fidelity).", "higher", (0.0, 1.0)),
            Key("efficacy_{column}", "Attacker efficacy on {column}", "Accuracy of the attacker reading the hidden "
                "features for {column}, a further attribute this run removed: the closer to its chance rate the "
                "better.", "target", (0.0, 1.0))))
def attribute_metric(ev: Evaluation) -> dict[str, float]:
    result = _attack(ev, ev.splits.request.column)
    fidelity = ev.results.get("test_acc", float("nan"))
    if math.isnan(fidelity):  # accuracy was not part of this evaluation
        fidelity = split_accuracy(ev, "test")
    return {**attribute_scores(result, fidelity), **extra_efficacies(ev)}


def _attack(ev: Evaluation, column: str) -> AttackResult:
    """The evaluation's attacker on ``column``: the linear probe when live, else the configured one."""
    attacker = "linear" if ev.live else str(ev.settings.get("attacker", "resnet"))
    return attack(ev.model, ev.splits, column, ev.device, attacker, limit=ev.live_limit)


def extra_efficacies(ev: Evaluation) -> dict[str, float]:
    """``efficacy_<column>`` for every further attribute in ``ev.settings["extra_attributes"]`` (those a
    several-attribute run removed besides the request's); {} when the settings name none."""
    extra = [c for c in ev.settings.get("extra_attributes") or () if c != ev.splits.request.column]
    return {f"efficacy_{c}": _attack(ev, c).efficacy for c in dict.fromkeys(extra)}
