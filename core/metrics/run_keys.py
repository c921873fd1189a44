"""The numbers the pipeline itself writes beside the metrics' (times, memory, the speed-up, the ε-score
over many models) and those the progress events carry (the gold model's live attack, a method's training
loss): their declaration.

Read like the metrics' own keys (core/metric_keys.py); declared after them, so tables list them last.
"""

from __future__ import annotations

from core.metric_keys import Key, declare

RUN_KEYS = declare(
    Key("seconds", "Seconds", "Wall-clock time this model took to train or unlearn: compute only, without the live "
        "evaluation each epoch (that is Audit seconds). NaN for a model loaded from a checkpoint without its time.",
        "lower", headline=True),
    Key("audit_seconds", "Audit seconds", "Time spent scoring the model while it trained or unlearned (the live "
        "chart's accuracies and attack, BN recalibration, progress reports): left out of Seconds and of the "
        "speed-up.", headline=True),
    Key("peak_mem_mb", "Peak memory (MB)", "Largest memory the method used.", "lower"),
    Key("speedup", "Speed-up", "How many times faster than retraining from scratch (the gold model's training time); "
        "unknown when the gold model came from a checkpoint without its training time.", "higher", headline=True),
    Key("eps_forget_quality", "ε forget quality", "The NeurIPS 2023 challenge's forgetting quality F: mean points of "
        "the forget examples' ε between unlearned and retrained models (1 = indistinguishable from retraining).",
        "higher", (0.0, 1.0)),
    Key("eps_score", "ε final score", "F times the unlearned/retrained ratios of retain and test accuracy: the "
        "challenge's final score.", "higher"),
    Key("gold_mia_acc", "Gold attack (live)", "The gold model's membership attack scored as the live chart scores "
        "its points (a subset, the fast folds): the line the unlearned model's attack should reach.", range=(0.0, 1.0)),
    Key("loss", "Loss", "The training or unlearning loss of the last step, as the method reports it per epoch.",
        live=True),
)
