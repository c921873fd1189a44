"""What the numbers mean, one plain line each: shown under charts, metrics and as column help.

The dashboard is used in workshops, so every number on screen comes with a sentence a newcomer
can read. A metric's label and meaning are declared with the metric (core/metrics/*.py) and
re-exported here; this file holds the words of everything else (verdicts, models, charts, stages).
"""

from __future__ import annotations

from core.metric_words import METRIC_LABELS, METRIC_NOTES, metric_label, metric_note  # noqa: F401  (read from the
# metrics' declarations, core/metrics/*.py: shared with the report)

INTERVAL_NOTE = ("A 95% column is the metric's bootstrap interval: the forget set redrawn 200 times by its units "
                 "(people for an identity request, else images), the never-seen images with it for the attack. "
                 "Where the unlearned model's interval meets the gold model's and not the original's, the data "
                 "cannot tell it from a model that never saw the forget set.")

VERDICT_NOTES: dict[str, str] = {
    "forgotten like the gold model": "On every metric that separates the gold model from the original, the "
                                     "unlearned model's interval meets gold's and not the original's.",
    "partly forgotten": "The unlearned model sits between the original and gold, meets both, goes beyond gold, or "
                        "looks like gold on one metric and like the original on another.",
    "not forgotten": "The unlearned model's intervals meet the original's and not gold's: it still remembers.",
    "too few forgotten units to tell": "With this few forgotten people or images (fewer than 5), or when the gold "
                                       "and original intervals overlap, no result could be told apart: forget "
                                       "more, or read the numbers as anecdotes.",
}

MODEL_NOTES: dict[str, str] = {
    "original": "trained on everything, including the images to forget",
    "gold": "retrained from scratch without the forget set: the target to match",
    "unlearned": "the original model after the unlearning method",
}

CHART_NOTE = ("Each point is one epoch of the unlearning method, scored on the unlearned model. A good method keeps "
              "test accuracy up while the membership attack moves to the gold model's line (what a model that never "
              "saw the images scores); the 0.5 line is a coin toss, not the goal. The tiles' attack change is its "
              "distance to gold: negative is closer. Live points score a subset of each split with a fast "
              "probe; the stars after the last epoch are the final values (every image, the final attacker), "
              "which is why the two can differ.")

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


def stage_label(stage: str) -> str:
    """A stage the pipeline names, or the unlearning method's own stage name (``unlearn`` by default)."""
    return STAGE_LABELS.get(stage, f"Unlearning ({stage})" if stage else "Starting")
