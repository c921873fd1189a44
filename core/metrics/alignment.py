"""Alignment with the gold model (retrained without the forget set): gold_gap, activation_distance."""

from __future__ import annotations

from core.metrics.accuracy import split_accuracy
from core.metrics.base import Evaluation, metric


@metric("alignment", "gold_gap = |forget_acc - gold's| and activation_distance = mean L2 between softmax outputs on forget",
        applies=lambda ev: ev.gold is not None)
def alignment(ev: Evaluation) -> dict[str, float]:
    task = ev.splits.task
    mine, gold = ev.logits("forget"), ev.logits("forget", ev.gold)
    gold_acc = task.correct(gold, ev.targets("forget")).mean().item()
    dist = (task.probs(mine) - task.probs(gold)).norm(dim=1).mean().item()
    return {"gold_gap": abs(split_accuracy(ev, "forget") - gold_acc), "activation_distance": dist}
