"""Scenario: the one config a run is made of, loaded from YAML/JSON and validated.

Every section is a dataclass built with :func:`core.params.build_params`, so a wrong key, an
unknown dataset/model/method/forget kind, or an impossible value fails with a message naming the
field and the allowed values. Column names (task, attribute) are checked when the data is loaded.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core.data.forget import FORGET_KINDS, ForgetRequest
from core.methods.base import METHODS, TrainSettings
from core.params import ParamError, build_params, param
from core.registry import Registry, UnknownName


class ConfigError(ValueError):
    """An invalid scenario; the message names the field and what is allowed."""


@dataclass
class DatasetConfig:
    name: str = param("synthfaces", "registered dataset name")
    options: dict = param({}, "the dataset's options (see `unlearn list`)")


@dataclass
class MethodConfig:
    name: str = param("finetune", "registered unlearning method")
    params: dict = param({}, "the method's hyper-parameters")


@dataclass
class SplitConfig:
    test_fraction: float = param(0.15, "share of identities (or samples) held out for test", min=0.01, max=0.5)
    unseen_fraction: float = param(0.15, "share held out as unseen (membership-attack non-members)", min=0.01, max=0.5)


@dataclass
class EvaluationConfig:
    attacker: str = param("resnet", "attribute attacker for the final table: 'resnet' (the paper's ResNet-18 on h; "
                                    "slow on CPU) or 'linear' (a logistic-regression probe; seconds)",
                          choices=["resnet", "linear"])
    nomus_lambda: float = param(0.5, "λ of NoMUS = λ·test accuracy + (1 − λ)·(1 − 2·forgetting score); the MUFAC "
                                     "paper's 0.5 weighs utility and forgetting equally", min=0.0, max=1.0)


@dataclass
class Scenario:
    """Dataset, task, model, forget request, method, training settings, seed and device."""

    dataset: DatasetConfig = field(default_factory=DatasetConfig)
    task: Any = "age_group"
    model: str = "smallcnn"
    forget: ForgetRequest = field(default_factory=lambda: ForgetRequest(kind="identities", count=3))
    method: MethodConfig = field(default_factory=MethodConfig)
    train: TrainSettings = field(default_factory=TrainSettings)
    split: SplitConfig = field(default_factory=SplitConfig)
    evaluation: EvaluationConfig = field(default_factory=EvaluationConfig)
    seed: int = 0
    device: str = "auto"
    name: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def title(self) -> str:
        return self.name or f"{self.method.name} · forget {self.forget.describe()} · {self.dataset.name}"


DEFAULT_SCENARIO: dict = {
    "name": "Forget three people (synthetic faces, age-group task)",
    "dataset": {"name": "synthfaces", "options": {"n_identities": 60, "images_per_identity": 30, "size": 32}},
    "task": "age_group",
    "model": "smallcnn",
    "forget": {"kind": "identities", "count": 3},
    "method": {"name": "finetune", "params": {}},
    "train": {"epochs": 8, "lr": 0.002, "batch_size": 64},
    "seed": 0,
    "device": "auto",
}

_SECTIONS = {"dataset": DatasetConfig, "method": MethodConfig, "forget": ForgetRequest,
             "train": TrainSettings, "split": SplitConfig, "evaluation": EvaluationConfig}


def _check_name(registry: Registry, name: str, where: str) -> None:
    try:
        registry.get(name)
    except UnknownName as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _train_bounds(train: TrainSettings) -> None:
    if train.epochs < 1 or train.lr <= 0 or train.batch_size < 1:
        raise ConfigError(f"train: epochs >= 1, lr > 0 and batch_size >= 1 are required (got {asdict(train)})")


def scenario_from_dict(raw: dict) -> Scenario:
    """Build and validate a Scenario from a plain dict (missing fields take the defaults)."""
    import core.data  # noqa: F401  (registrations)
    import core.methods  # noqa: F401
    from core.data import DATASETS
    from core.models import MODELS

    if not isinstance(raw, dict):
        raise ConfigError("scenario: expected a mapping of sections (dataset, task, model, forget, method, ...)")
    allowed = [f for f in Scenario.__dataclass_fields__]
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ConfigError(f"scenario: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    try:
        values = {k: build_params(_SECTIONS[k], v, where=k) if k in _SECTIONS else v for k, v in raw.items()}
        sc = Scenario(**values)
        _check_name(DATASETS, sc.dataset.name, "dataset.name")
        build_params(DATASETS.get(sc.dataset.name).Options, sc.dataset.options, where="dataset.options")
        _check_name(MODELS, sc.model, "model")
        _check_name(METHODS, sc.method.name, "method.name")
        build_params(METHODS.get(sc.method.name).Params, sc.method.params, where="method.params")
        _check_name(FORGET_KINDS, sc.forget.kind, "forget.kind")
    except ParamError as exc:
        raise ConfigError(str(exc)) from None
    _train_bounds(sc.train)
    if sc.evaluation.attacker not in ("resnet", "linear"):
        raise ConfigError(f"evaluation.attacker: {sc.evaluation.attacker!r} is not allowed; allowed: resnet, linear")
    if not isinstance(sc.task, (str, list)) or not sc.task:
        raise ConfigError("task: give a column name, or a list of column names for a multi-label task")
    if sc.device not in ("auto", "cpu", "mps") and not sc.device.startswith("cuda"):
        raise ConfigError(f"device: {sc.device!r} is not allowed; allowed: auto, cpu, cuda, cuda:N, mps")
    return sc


def load_scenario(path: str | Path) -> Scenario:
    """Read a YAML or JSON scenario file."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path}: no such scenario file")
    text = path.read_text()
    try:
        raw = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}") from None
    return scenario_from_dict(raw or {})


def default_scenario(**overrides: Any) -> Scenario:
    """The built-in default scenario, with top-level overrides (e.g. method=...)."""
    raw = json.loads(json.dumps(DEFAULT_SCENARIO))
    raw.update(overrides)
    return scenario_from_dict(raw)
