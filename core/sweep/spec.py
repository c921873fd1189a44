"""SWEEP.yaml: a base scenario, the axes that vary, how they combine, and each trial's resources.

::

    base: scenario.yaml            # a scenario file (relative to the sweep file) or an inline mapping
    axes: {method.name: [finetune, scrub], seed: [0, 1, 2]}
    mode: grid                     # grid: every combination; list: the axes zipped (equal lengths)
    resources: {num_cpus: 1, num_gpus: 0}
    cache: /shared/unlearn-cache   # optional: a cache folder every Ray node can read and write

An axis is a dotted path into the scenario (``seed``, ``method.name``, ``method.params.epochs``,
``dataset.options.n_identities``, ``forget``...). Every trial's scenario is validated here, before
anything runs, so a bad value is named with its trial instead of failing on a worker an hour in.
The sweep's id is a hash of what defines its trials (base, axes, mode): running the same file again
finds the same sweep and resumes it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.config import ConfigError, Scenario, _BoundedLoader, load_scenario, scenario_from_dict
from core.sweep.errors import SweepError
from core.sweep.trials import expand

MODES = ("grid", "list")
KEYS = ("name", "base", "axes", "mode", "resources", "cache")
RESOURCES = ("num_cpus", "num_gpus")


@dataclass
class SweepSpec:
    base: dict  # the validated base scenario, as Scenario.to_dict()
    axes: dict[str, list]
    mode: str = "grid"
    resources: dict[str, float] = field(default_factory=lambda: {"num_cpus": 1.0, "num_gpus": 0.0})
    name: str = ""
    cache: str | None = None

    @property
    def id(self) -> str:
        """``sweep-`` and a hash of base, axes and mode: the same sweep file always names the same sweep."""
        blob = json.dumps([self.base, self.axes, self.mode], sort_keys=True, default=str)
        return "sweep-" + hashlib.sha256(blob.encode()).hexdigest()[:10]

    def title(self) -> str:
        return self.name or f"sweep over {', '.join(self.axes)} ({self.mode})"

    def to_dict(self) -> dict:
        return {"name": self.name, "base": self.base, "axes": self.axes, "mode": self.mode,
                "resources": self.resources, "cache": self.cache}


def _base(raw: Any, folder: Path) -> dict:
    if isinstance(raw, str):
        path = Path(raw) if Path(raw).is_absolute() else folder / raw
        return load_scenario(path).to_dict()
    if isinstance(raw, dict):
        return scenario_from_dict(raw).to_dict()
    raise SweepError(f"base: {raw!r} is neither a scenario file name nor a scenario mapping; "
                     "give e.g. base: scenario.yaml or base: {dataset: {...}, method: {...}}")


def _axes(raw: Any) -> dict[str, list]:
    if not isinstance(raw, dict) or not raw:
        raise SweepError("axes: give a non-empty mapping of scenario paths to lists of values, "
                         "e.g. axes: {method.name: [finetune, scrub], seed: [0, 1, 2]}")
    fields = list(Scenario.__dataclass_fields__)
    for path, values in raw.items():
        if not isinstance(path, str) or path.split(".")[0] not in fields:
            raise SweepError(f"axes: {path!r} is not a scenario path; it must start with one of {', '.join(fields)}")
        if not isinstance(values, list) or not values:
            raise SweepError(f"axes.{path}: {values!r} is not a non-empty list of values; give e.g. [0, 1, 2]")
    return dict(raw)


def _resources(raw: Any) -> dict[str, float]:
    raw = {} if raw is None else raw
    if not isinstance(raw, dict):
        raise SweepError(f"resources: {raw!r} is not a mapping; give e.g. resources: {{num_cpus: 1, num_gpus: 0}}")
    unknown = sorted(set(raw) - set(RESOURCES))
    if unknown:
        raise SweepError(f"resources: unknown key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(RESOURCES)}")
    out = {"num_cpus": 1.0, "num_gpus": 0.0}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise SweepError(f"resources.{key}: {value!r} is not a number from 0; give e.g. {key}: 1")
        out[key] = float(value)
    if out["num_cpus"] == 0 and out["num_gpus"] == 0:
        raise SweepError("resources: num_cpus and num_gpus are both 0; a trial needs at least part of a CPU or GPU")
    return out


def sweep_from_dict(raw: Any, folder: Path = Path(".")) -> SweepSpec:
    """Build and validate a sweep from a parsed SWEEP.yaml (``folder``: where a ``base`` file name is looked up)."""
    if not isinstance(raw, dict) or not raw:
        raise SweepError("sweep: expected a mapping with base, axes and (optionally) mode, resources, name, cache")
    unknown = sorted(set(map(str, raw)) - set(KEYS))
    if unknown:
        raise SweepError(f"sweep: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(KEYS)}")
    if "base" not in raw or "axes" not in raw:
        raise SweepError("sweep: base and axes are both required")
    mode = raw.get("mode", "grid")
    if mode not in MODES:
        raise SweepError(f"mode: {mode!r} is not allowed; allowed: {', '.join(MODES)}")
    for key in ("name", "cache"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise SweepError(f"{key}: {raw[key]!r} is not text; give a string")
    try:
        base = _base(raw["base"], folder)
    except ConfigError as exc:
        raise SweepError(f"base: {exc}") from None
    spec = SweepSpec(base=base, axes=_axes(raw["axes"]), mode=mode, resources=_resources(raw.get("resources")),
                     name=raw.get("name") or "", cache=raw.get("cache"))
    expand(spec)  # every trial's scenario validated now, named by its trial
    return spec


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a SWEEP.yaml (or .json)."""
    path = Path(path)
    if not path.is_file():
        raise SweepError(f"{path}: no such sweep file")
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_BoundedLoader)  # noqa: S506
    except (json.JSONDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise SweepError(f"{path}: not valid YAML/JSON: {' '.join(str(exc).split())}") from None
    return sweep_from_dict(raw, path.parent)
