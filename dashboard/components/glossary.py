"""What the numbers mean, one plain line each: shown under charts, metrics and as column help.

The dashboard is used in workshops, so every number on screen comes with a sentence a newcomer
can read; the names are the engine's fixed metric names.
"""

from __future__ import annotations

METRIC_LABELS: dict[str, str] = {
    "test_acc": "Test accuracy", "top2_acc": "Top-2 accuracy", "retain_acc": "Retain accuracy",
    "forget_acc": "Forget accuracy", "mia_acc": "Membership attack", "forgetting_score": "Forgetting score",
    "nomus": "NoMUS", "efficacy": "Attacker efficacy", "efficacy_chance": "Attacker chance",
    "fidelity": "Fidelity", "aum": "AUM", "gold_gap": "Gap to gold", "activation_distance": "Activation distance",
    "seconds": "Seconds", "peak_mem_mb": "Peak memory (MB)", "speedup": "Speed-up",
}

METRIC_NOTES: dict[str, str] = {
    "test_acc": "Share of never-trained-on test images labelled right: forgetting must not break the model.",
    "top2_acc": "Share of test images whose true label is among the model's two best guesses.",
    "retain_acc": "Accuracy on the training images we keep: the model should still know them.",
    "forget_acc": "Accuracy on the images to forget: it should fall to what a model that never saw them gets.",
    "mia_acc": "How well an attacker tells forgotten images from unseen ones by their loss; 0.5 is a coin toss, "
               "which means the model no longer treats them as members.",
    "forgetting_score": "Distance of the membership attack from a coin toss, |MIA − 0.5|: 0 is best.",
    "nomus": "One score for both goals: half test accuracy, half how close the attack is to a coin toss (1 is best).",
    "efficacy": "Accuracy of an attacker reading the hidden features for the forgotten attribute: lower is better.",
    "efficacy_chance": "What the attribute attacker gets by always guessing the most common value: the floor.",
    "fidelity": "Task accuracy after attribute unlearning: the model must stay useful.",
    "aum": "Harmonic mean of (1 − efficacy) and fidelity: high only when both are good.",
    "gold_gap": "How far forget accuracy is from the gold model's (retrained without the forget set): 0 is best.",
    "activation_distance": "Mean distance between this model's and the gold model's outputs on the forget set.",
    "seconds": "Wall-clock time this model took to train or unlearn.",
    "peak_mem_mb": "Largest memory the method used.",
    "speedup": "How many times faster than retraining from scratch (the gold model's training time).",
}

MODEL_NOTES: dict[str, str] = {
    "original": "trained on everything, including the images to forget",
    "gold": "retrained from scratch without the forget set: the target to match",
    "unlearned": "the original model after the unlearning method",
}

CHART_NOTE = ("Each point is one epoch of the unlearning method, scored on the unlearned model. A good method keeps "
              "test accuracy up while the membership attack sinks towards the 0.5 line (a coin toss) and NoMUS rises.")

RESULTS_NOTE = ("Full evaluation of the three models. The unlearned row should look like the gold row, "
                "not like the original.")

STAGE_LABELS: dict[str, str] = {
    "data": "Preparing the data",
    "original": "Training the original model",
    "gold": "Training the gold model (retain set only)",
    "unlearn": "Unlearning",
    "evaluate": "Evaluating the three models",
    "audit": "Computing the saliency audit",
}


def metric_label(name: str) -> str:
    return METRIC_LABELS.get(name, name)


def stage_label(stage: str) -> str:
    """A stage the pipeline names, or the unlearning method's own stage name (``unlearn`` by default)."""
    return STAGE_LABELS.get(stage, f"Unlearning ({stage})" if stage else "Starting")
