"""Task accuracy on every split, and top-2 test accuracy (the MUFAC paper's second utility).

Top-2 accuracy is only produced when every task head has more than two classes: on a binary head
the two best guesses are all the classes, so it would read 1.0 whatever the model does.
"""

from __future__ import annotations

from core.metrics.base import Evaluation, metric


def split_accuracy(ev: Evaluation, split: str) -> float:
    if len(ev.index(split)) == 0:
        return float("nan")
    return ev.splits.task.correct(ev.logits(split), ev.targets(split)).mean().item()


@metric("accuracy", "test_acc, retain_acc, forget_acc: share of task labels predicted right", live=True)
def accuracy(ev: Evaluation) -> dict[str, float]:
    return {f"{s}_acc": split_accuracy(ev, s) for s in ("test", "retain", "forget")}


def top2_informative(ev: Evaluation) -> bool:
    """True when every head has more than two classes (otherwise top-2 is trivially 1.0)."""
    return min(ev.splits.task.num_classes) > 2


@metric("top2", "top2_acc: share of test labels among the two highest logits (tasks with > 2 classes per head)",
        live=False, applies=top2_informative)
def top2(ev: Evaluation) -> dict[str, float]:
    return {"top2_acc": ev.splits.task.topk_correct(ev.logits("test"), ev.targets("test"), 2).mean().item()}
