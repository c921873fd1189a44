"""Metric names in words and one plain line on what each means: the one home of this text.

The dashboard shows them under charts, as column labels and help; the audit report's glossary and
tables print them too, so an auditor reads the same words as a workshop. The keys are the engine's
fixed metric names.
"""

from __future__ import annotations

METRIC_LABELS: dict[str, str] = {
    "test_acc": "Test accuracy", "top2_acc": "Top-2 accuracy", "retain_acc": "Retain accuracy",
    "forget_acc": "Forget accuracy", "mia_acc": "Membership attack", "mia_gold_gap": "Attack gap to gold",
    "mia_n": "Attack samples a side", "mia_ci_low": "Attack 95% low", "mia_ci_high": "Attack 95% high",
    "forgetting_score": "Forgetting score", "nomus": "NoMUS", "efficacy": "Attacker efficacy",
    "efficacy_chance": "Attacker chance",
    "fidelity": "Fidelity", "aum": "AUM", "gold_gap": "Gap to gold", "activation_distance": "Activation distance",
    "seconds": "Seconds", "audit_seconds": "Audit seconds", "peak_mem_mb": "Peak memory (MB)", "speedup": "Speed-up",
}

METRIC_NOTES: dict[str, str] = {
    "test_acc": "Share of never-trained-on test images labelled right: forgetting must not break the model.",
    "top2_acc": "Share of test images whose true label is among the model's two best guesses.",
    "retain_acc": "Accuracy on the training images we keep: the model should still know them.",
    "forget_acc": "Accuracy on the images to forget: it should fall to what a model that never saw them gets.",
    "mia_acc": "How well an attacker tells forgotten images from never-seen ones like them (same class or attribute "
               "value) by their loss. The target is the gold model's value: a model that never saw the images can "
               "still sit away from 0.5, the coin toss.",
    "mia_gold_gap": "Distance of the membership attack from the gold model's, |MIA − gold's MIA|: 0 is best.",
    "mia_n": "Forgotten (and as many never-seen) images the attack used: with a handful it can tell very little.",
    "mia_ci_low": "Lower end of an approximate 95% interval of the attack accuracy.",
    "mia_ci_high": "Upper end of an approximate 95% interval of the attack accuracy.",
    "forgetting_score": "The paper's distance of the membership attack from a coin toss, |MIA − 0.5| (0 best); "
                        "compare it with the gold model's.",
    "nomus": "The paper's one score for both goals: half test accuracy, half how close the attack is to a coin toss "
             "(1 is best); compare it with the gold model's.",
    "efficacy": "Accuracy of an attacker reading the hidden features for the forgotten attribute: the closer to "
                "its chance rate the better (below chance is no better).",
    "efficacy_chance": "What the attribute attacker gets by always guessing the most common value: the floor.",
    "fidelity": "Task accuracy after attribute unlearning: the model must stay useful.",
    "aum": "Harmonic mean of (1 − efficacy) and fidelity: high only when both are good.",
    "gold_gap": "How far forget accuracy is from the gold model's (retrained without the forget set): 0 is best.",
    "activation_distance": "Mean distance between this model's and the gold model's outputs on the forget set.",
    "seconds": "Wall-clock time this model took to train or unlearn: compute only, without the live evaluation "
               "each epoch (that is Audit seconds). NaN for a model loaded from a checkpoint without its time.",
    "audit_seconds": "Time spent scoring the model while it trained or unlearned (the live chart's accuracies and "
                     "attack, BN recalibration, progress reports): left out of Seconds and of the speed-up.",
    "peak_mem_mb": "Largest memory the method used.",
    "speedup": "How many times faster than retraining from scratch (the gold model's training time); unknown when "
               "the gold model came from a checkpoint without its training time.",
}


def metric_label(name: str) -> str:
    """A metric's name in words ("Membership attack" for mia_acc); the name itself when it has none."""
    return METRIC_LABELS.get(name, name)
