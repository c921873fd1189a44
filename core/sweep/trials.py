"""A sweep's trials: its axes expanded (grid: every combination; list: zipped) into scenario overrides.

Each trial is the base scenario with its overrides applied and validated; its ``key`` is a hash of
that whole scenario, so a re-run of the sweep recognises a trial it already finished (resume), and
two trials that would be the same run are refused.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
from dataclasses import dataclass

from core.config import ConfigError, scenario_from_dict
from core.sweep.errors import SweepError

MAX_TRIALS = 10_000  # far above any real sweep; a typo'd range of a million values is refused


@dataclass
class Trial:
    index: int
    overrides: dict  # axis path -> value
    scenario: dict  # the full, validated scenario (Scenario.to_dict())
    key: str

    def title(self) -> str:
        return ", ".join(f"{k}={json.dumps(v) if isinstance(v, (dict, list)) else v}" for k, v in self.overrides.items())


def scenario_key(scenario: dict) -> str:
    return hashlib.sha256(json.dumps(scenario, sort_keys=True, default=str).encode()).hexdigest()[:16]


def apply_override(raw: dict, path: str, value) -> None:
    """Set ``raw[a][b][c] = value`` for ``path`` "a.b.c", creating mappings on the way."""
    *parents, last = path.split(".")
    node = raw
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = copy.deepcopy(value)


def combinations(axes: dict[str, list], mode: str) -> list[dict]:
    """The overrides of every trial, in order: grid = the axes' product, list = the axes zipped."""
    names = list(axes)
    if mode == "list":
        lengths = {name: len(values) for name, values in axes.items()}
        if len(set(lengths.values())) > 1:
            raise SweepError(f"mode list zips the axes, so they need equal lengths; got {lengths} "
                             "(use mode: grid for every combination)")
        rows = zip(*axes.values())
    else:
        count = 1
        for values in axes.values():
            count *= len(values)
        if count > MAX_TRIALS:
            raise SweepError(f"axes: {count:,} trials in the grid; at most {MAX_TRIALS:,} (use fewer values)")
        rows = itertools.product(*axes.values())
    return [dict(zip(names, row)) for row in rows]


def expand(spec) -> list[Trial]:
    """The spec's trials, each validated; a bad value raises SweepError naming its trial."""
    trials, seen = [], {}
    for i, overrides in enumerate(combinations(spec.axes, spec.mode)):
        raw = copy.deepcopy(spec.base)
        for path, value in overrides.items():
            apply_override(raw, path, value)
        try:
            scenario = scenario_from_dict(raw).to_dict()
        except ConfigError as exc:
            raise SweepError(f"trial {i} ({overrides}): {exc}") from None
        key = scenario_key(scenario)
        if key in seen:
            raise SweepError(f"trials {seen[key]} and {i} are the same scenario ({overrides}); "
                             "remove the repeated value from the axes")
        seen[key] = i
        trials.append(Trial(i, overrides, scenario, key))
    return trials
