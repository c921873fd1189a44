"""Alignment with the gold model (retrained without the forget set): gold_gap, activation_distance."""

from __future__ import annotations

from core.metric_keys import Key
from core.metrics.accuracy import split_accuracy
from core.metrics.base import Evaluation, metric


@metric("alignment", "gold_gap = |forget_acc - gold's| and activation_distance = mean L2 between softmax outputs on forget",
        applies=lambda ev: ev.gold is not None, keys=(
            Key("gold_gap", "Gap to gold", "How far forget accuracy is from the gold model's (retrained without the "
                "forget set): 0 is best.", "lower", (0.0, 1.0), headline=True),
            Key("activation_distance", "Activation distance", "Mean distance between this model's and the gold "
                "model's outputs on the forget set.", "lower", (0.0, 2 ** 0.5), headline=True)))
def alignment(ev: Evaluation) -> dict[str, float]:
    task = ev.splits.task
    mine, gold = ev.logits("forget"), ev.logits("forget", ev.gold)
    gold_acc = task.correct(gold, ev.targets("forget")).mean().item()
    dist = (task.probs(mine) - task.probs(gold)).norm(dim=1).mean().item()
    return {"gold_gap": abs(split_accuracy(ev, "forget") - gold_acc), "activation_distance": dist}
