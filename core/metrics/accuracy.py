"""Task accuracy on every split, and top-2 test accuracy (the MUFAC paper's second utility).

Top-2 accuracy is only produced when every task head has more than two classes: on a binary head
the two best guesses are all the classes, so it would read 1.0 whatever the model does.
"""

from __future__ import annotations

from core.metric_keys import Key
from core.metrics.base import Evaluation, metric

UNIT = (0.0, 1.0)


def split_accuracy(ev: Evaluation, split: str) -> float:
    if len(ev.index(split)) == 0:
        return float("nan")
    return ev.splits.task.correct(ev.logits(split), ev.targets(split)).mean().item()


@metric("accuracy", "test_acc, retain_acc, forget_acc: share of task labels predicted right", live=True, keys=(
    Key("test_acc", "Test accuracy", "Share of never-trained-on test images labelled right: forgetting must not break "
        "the model.", "higher", UNIT, live=True, color="#1f77b4", headline=True),
    Key("retain_acc", "Retain accuracy", "Accuracy on the training images we keep: the model should still know them.",
        "higher", UNIT, headline=True),
    Key("forget_acc", "Forget accuracy", "Accuracy on the images to forget: it should fall to what a model that never "
        "saw them gets.", "target", UNIT, live=True, headline=True)))
def accuracy(ev: Evaluation) -> dict[str, float]:
    return {f"{s}_acc": split_accuracy(ev, s) for s in ("test", "retain", "forget")}


def top2_informative(ev: Evaluation) -> bool:
    """True when every head has more than two classes (otherwise top-2 is trivially 1.0)."""
    return min(ev.splits.task.num_classes) > 2


@metric("top2", "top2_acc: share of test labels among the two highest logits (tasks with > 2 classes per head)",
        live=False, applies=top2_informative, keys=(
            Key("top2_acc", "Top-2 accuracy", "Share of test images whose true label is among the model's two best "
                "guesses.", "higher", UNIT, headline=True),))
def top2(ev: Evaluation) -> dict[str, float]:
    return {"top2_acc": ev.splits.task.topk_correct(ev.logits("test"), ev.targets("test"), 2).mean().item()}
