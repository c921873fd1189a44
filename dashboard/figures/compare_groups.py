"""Compare only what is comparable: runs grouped by scenario, each group with its own references.

Two runs answer the same question when they share the dataset (and its options), the task, the forget
request and the seed — and the model and training settings, which decide their original and gold
models. Mixing an identity run with an attribute run under one run's reference rows compares nothing,
so the Compare page shows one group at a time, with that group's original and gold rows labelled as
the references they are (never by a method name). Pure builders (tested without Streamlit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

import pandas as pd

from core.data.forget import ForgetRequest
from dashboard.figures.compare import compare_table

REFERENCE_LABELS = {"original": "Original (reference)", "gold": "Gold (reference)"}  # the page's caption says what they are
SCENARIO_FIELDS = ("dataset", "task", "forget", "seed", "model", "train")


@dataclass(frozen=True)
class ScenarioGroup:
    key: str
    title: str
    runs: list


def scenario_key(config: dict[str, Any] | None) -> str:
    """What decides a run's question and its references, as one comparable string."""
    config = config or {}
    return json.dumps({f: config.get(f) for f in SCENARIO_FIELDS}, sort_keys=True, default=str)


def scenario_title(config: dict[str, Any] | None) -> str:
    """A group in words: "Forget Eyeglasses · synthfaces · predicts age_group · seed 0"."""
    config = config or {}
    try:
        what = ForgetRequest(**(config.get("forget") or {})).title()
    except (TypeError, ValueError):
        what = "?"
    task = config.get("task", "?")
    task = ", ".join(task) if isinstance(task, list) else task
    return (f"Forget {what} · {(config.get('dataset') or {}).get('name', '?')} · predicts {task} · "
            f"{config.get('model', '?')} · seed {config.get('seed', 0)}")


def scenario_groups(runs: Iterable[Any]) -> list[ScenarioGroup]:
    """Runs grouped by scenario, the groups with the most runs first (then the newest), runs newest first."""
    groups: dict[str, list] = {}
    for run in runs:
        groups.setdefault(scenario_key(run.config), []).append(run)
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), -max(r.created for r in kv[1])))
    return [ScenarioGroup(k, scenario_title(rs[0].config), sorted(rs, key=lambda r: -r.created)) for k, rs in ordered]


def group_table(runs: list[Any]) -> pd.DataFrame:
    """One row per run of the group (its unlearned model), then the group's original and gold rows,
    labelled as references."""
    table = compare_table(runs)
    if "role" in table:
        refs = table["role"].isin(list(REFERENCE_LABELS))
        table.loc[refs, "run"] = table.loc[refs, "role"].map(REFERENCE_LABELS)
        if "method" in table:
            table.loc[refs, "method"] = ""  # a reference is no method's result
    return table
