"""The words of the Home page: what unlearning is, and the default scenario told step by step.

Pure text builders (no Streamlit), so the teaching-mode walkthrough always matches the scenario it
describes: the steps are written from the scenario config itself.
"""

from __future__ import annotations

from typing import Any

from dashboard.components.scenario_text import scenario_summary

INTRO = ("A trained model remembers the images it learned from, including people who later ask to be removed. "
         "Machine unlearning changes that model so it behaves as if those images had never been in its training "
         "data, without the cost of retraining from scratch. Unlearning Studio runs a method on your request, compares "
         "the result with a model retrained without the forgotten images (the gold standard), and shows whether an "
         "attacker can still tell they were used.")


def scenario_steps(config: dict[str, Any]) -> list[str]:
    """What happens when this scenario runs, one sentence per pipeline stage, in order."""
    facts = dict(scenario_summary(config))
    method = (config.get("method") or {}).get("name", "the method")
    return [
        f"**Data.** Load {facts['Dataset']} and split it into training, test and never-seen images; the training "
        f"images are split again into the forget set ({facts['Forget']}) and the retain set.",
        f"**Original model.** Train a {facts['Model']} to predict {facts['Task']} on all training images "
        f"({facts['Training']}): this model has seen the people to forget.",
        "**Gold model.** Train the same network from scratch on the retain set only: the ideal answer, a model that "
        "never saw the forget set.",
        f"**Unlearning.** Apply {method} to a copy of the original model; each epoch is scored live on test accuracy, "
        "the membership attack and NoMUS.",
        "**Evaluation.** Score the original, gold and unlearned models with the same metrics: the unlearned model should "
        "look like the gold one.",
        "**Audit.** Explain where each model looks (saliency maps) on the same forget and retain images, and write the "
        "audit report you can download.",
    ]
