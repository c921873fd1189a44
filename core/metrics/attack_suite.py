"""The scenario's ``evaluation.attacks``: per-example membership scores, one registry, one summary.

Each attack is a function of an :class:`Evaluation` returning its per-example scores (higher means
"member") for the forget set (members) and the matched non-members, or ``None`` with a reason when it
cannot run (no reference models). Every attack is summarised the same way (AUC, TPR at 1%, 0.1% and
0.01% FPR where the non-members support it: :func:`core.metrics.mia_roc.attack_summary`) under its own
prefix (``loss_auc``, ``rmia_auc``, ``lira_online_tpr_at_1fpr`` ...), and its forget-set scores go to
``ev.extras["attack_scores"]`` for the per-sample risk table (core/metrics/risk_table.py).

``epsilon`` is also an ``evaluation.attacks`` value but not a per-model attack: it compares many
unlearned models with many retrained ones (core/metrics/epsilon_score.py, run by the pipeline).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch

from core.metrics.base import NONMEMBER, Evaluation, metric
from core.metrics.mia import attack_losses
from core.metrics.mia_roc import LOW_FPRS, attack_summary, roc_keys
from core.registry import Registry

Scores = tuple[np.ndarray, np.ndarray]
AttackFn = Callable[[Evaluation], "Scores | str"]  # the scores, or why the attack cannot run
ATTACKS: Registry[AttackFn] = Registry("attack")
MODEL_SET_ATTACKS = ("epsilon",)  # allowed in evaluation.attacks, computed over many models by the pipeline


@dataclass(frozen=True)
class ReferenceInputs:
    """What a reference-model attack reads: the references, the targets' labels, and the model under test's
    logits on the targets (forget rows first, then the matched non-members)."""

    refs: Any
    y: torch.Tensor
    logits: torch.Tensor


def reference_inputs(ev: Evaluation, name: str) -> ReferenceInputs | str:
    """The inputs of attack ``name`` (its references in ``ev.extras["references"][name]``), or why it cannot run."""
    refs = (ev.extras.get("references") or {}).get(name)
    if refs is None:
        return f"no reference models (the pipeline trains evaluation.reference_models of them when {name} is asked for)"
    if ev.nonmembers().count == 0:
        return ev.nonmembers().reason or "no matched non-members"
    logits = torch.cat([ev.logits("forget"), ev.logits(NONMEMBER)]).float()
    return ReferenceInputs(refs, ev.splits.targets(refs.targets), logits)


def attack_names() -> list[str]:
    """Every value ``evaluation.attacks`` accepts."""
    return [*ATTACKS.names(), *MODEL_SET_ATTACKS]


@ATTACKS.register("loss", "population loss threshold: −loss per example (Yeom et al.; the product's mia_auc)")
def loss_attack(ev: Evaluation) -> Scores | str:
    member, nonmember = attack_losses(ev)
    if ev.extras.get("mia_unavailable"):
        return str(ev.extras["mia_unavailable"])
    return -member, -nonmember


def run_attacks(ev: Evaluation, names: list[str]) -> dict[str, float]:
    """Summaries of the per-model attacks in ``names``; scores and notes into ``ev.extras``."""
    numbers: dict[str, float] = {}
    scores: dict[str, list[float]] = {}
    notes: list[str] = []
    for name in names:
        if name in MODEL_SET_ATTACKS:
            continue
        out = ATTACKS.get(name)(ev)
        if isinstance(out, str):
            notes.append(f"{name}: {out}")
            member, nonmember = np.zeros(0), np.zeros(0)
        else:
            member, nonmember = out
            scores[name] = [round(float(v), 6) for v in member]
        summary, _, low_fpr_notes = attack_summary(member, nonmember, name)
        numbers.update(summary)
        notes.extend(low_fpr_notes if len(member) else [])
    ev.extras["attack_scores"] = scores
    ev.extras["attack_notes"] = notes
    return numbers


@metric("attacks", "the scenario's evaluation.attacks: per attack {name}_auc and TPR at 1%, 0.1%, 0.01% FPR "
        "(NaN where too few non-members); forget-set scores go to extras['attack_scores']",
        applies=lambda ev: bool(ev.settings.get("attacks")), keys=roc_keys("{attack}", "{attack} attack", LOW_FPRS))
def attacks(ev: Evaluation) -> dict[str, float]:
    return run_attacks(ev, list(ev.settings["attacks"]))
