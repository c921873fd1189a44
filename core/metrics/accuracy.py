"""Task accuracy on every split, and top-2 test accuracy (the MUFAC paper's second utility)."""

from __future__ import annotations

from core.metrics.base import Evaluation, metric


def split_accuracy(ev: Evaluation, split: str) -> float:
    if len(ev.index(split)) == 0:
        return float("nan")
    return ev.splits.task.correct(ev.logits(split), ev.targets(split)).mean().item()


@metric("accuracy", "test_acc, retain_acc, forget_acc: share of task labels predicted right", live=True)
def accuracy(ev: Evaluation) -> dict[str, float]:
    return {f"{s}_acc": split_accuracy(ev, s) for s in ("test", "retain", "forget")}


@metric("top2", "top2_acc: share of test labels among the two highest logits", live=False)
def top2(ev: Evaluation) -> dict[str, float]:
    return {"top2_acc": ev.splits.task.topk_correct(ev.logits("test"), ev.targets("test"), 2).mean().item()}
