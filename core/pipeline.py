"""Run a Scenario end to end: data, original model, gold model, unlearning, evaluation.

The original and gold models are cached on disk keyed by everything that produced them, so a
second run of the same scenario (or another method on it) skips straight to unlearning.
Progress is reported per stage; the worker records it, the CLI draws it.
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from core import paths
from core.config import Scenario
from core.data import load_dataset
from core.data.splits import Splits, make_splits
from core.methods import METHODS, Context
from core.metrics import Evaluation, evaluate
from core.metrics.mia import live_attack_accuracy
from core.models import ModelSpec, build_model
from core.params import build_params
from core.paths import atomic_write
from core.progress import Progress, silent
from core.report_provenance import code_version
from core.training import (file_sha256, load_checkpoint, pick_device, recalibrate_batchnorm, save_checkpoint,
                           seed_everything, train_epochs)

STAGES = ("data", "original", "gold", "unlearn", "evaluate", "audit")
REFERENCE_RECIPE = "bn-recalibrated"  # in the cache key: models cached before the recipe changed are retrained


@dataclass
class Trained:
    """A model with how long it took to train and whether it came from the cache."""

    model: nn.Module
    seconds: float
    cached: bool
    sha256: str = ""


@dataclass
class Prepared:
    """What every method on the same scenario shares: the data and the two reference models."""

    scenario: Scenario
    splits: Splits
    device: torch.device
    original: Trained
    gold: Trained
    extras: dict[str, Any] = field(default_factory=dict)


def _key(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _index_digest(index: torch.Tensor) -> str:
    return hashlib.sha256(index.numpy().tobytes()).hexdigest()[:16]


def reference_key(sc: Scenario, splits: Splits, index: torch.Tensor) -> str:
    """What a reference model depends on: the data as loaded now (the table's fingerprint, so a changed
    dataset folder never reuses a model trained on its old files), the rows, task, model, training
    settings, seed and training recipe."""
    return _key(sc.dataset.name, sc.dataset.options, splits.table.fingerprint, sc.task, sc.model, asdict(sc.train),
                sc.seed, _index_digest(index), REFERENCE_RECIPE)


def reference_path(sc: Scenario, splits: Splits, split: str, stage: str, cache: Path) -> Path:
    """Where the reference model trained on ``split`` (original: train, gold: retain) is cached."""
    return cache / "models" / f"{stage}-{reference_key(sc, splits, splits.index(split))}.pt"


def is_cached(path: Path) -> bool:
    """Whether a complete cache entry is there (the .json beside the weights is written last)."""
    return path.exists() and path.with_suffix(".json").exists()


def _load_cached(build: Callable[[], nn.Module], path: Path, device: torch.device) -> Trained | None:
    """The model cached at ``path``, or None when there is none or it cannot be trusted.

    The ``.json`` beside it is written last, so a ``.pt`` without one is an unfinished write; a
    ``.pt`` whose sha256 differs from the recorded one, or that does not load, is corrupt. Either
    way the caller retrains (and overwrites it); a corrupt entry also gets a warning."""
    meta_path = path.with_suffix(".json")
    if not is_cached(path):
        return None
    try:
        meta = json.loads(meta_path.read_text())
        sha = file_sha256(path)
        if sha != meta["sha256"]:
            raise ValueError(f"its sha256 {sha[:12]}... is not the recorded {str(meta['sha256'])[:12]}...")
        model = load_checkpoint(build(), path)
        return Trained(model.to(device), float(meta["seconds"]), True, sha)
    except Exception as exc:  # whatever is wrong with a cache entry, retraining replaces it
        warnings.warn(f"cached model {path} is unreadable ({type(exc).__name__}: {exc}); retraining it", stacklevel=2)
        return None


def train_reference(sc: Scenario, splits: Splits, split: str, device: torch.device, progress: Progress,
                    stage: str, cache: Path | None) -> Trained:
    """Train (or load from cache) a model from scratch on ``split`` with the scenario's settings."""
    index = splits.index(split)
    c, h, _ = splits.table.image_shape

    def build() -> nn.Module:  # a fresh model each time: a failed load may have half-filled one
        seed_everything(sc.seed)
        return build_model(sc.model, ModelSpec(c, h, splits.task.out_dim))

    path = reference_path(sc, splits, split, stage, cache) if cache else None
    cached = _load_cached(build, path, device) if path is not None else None
    if cached is not None:
        progress(1, 1, stage=stage, cached=1.0)
        return cached
    model = build()
    start = time.perf_counter()
    loader = splits.loader(index, sc.train.batch_size, shuffle=True, seed=sc.seed)
    train_epochs(model, loader, splits.task, sc.train.epochs, sc.train.lr, device, progress, stage=stage)
    recalibrate_batchnorm(model, splits.loader(index, sc.train.batch_size), device)  # as every method's model
    seconds = time.perf_counter() - start
    sha = ""
    if path is not None:  # the weights first, then the .json that marks the entry complete; each atomic
        sha = save_checkpoint(model, path)
        meta = json.dumps({"seconds": seconds, "sha256": sha})
        atomic_write(path.with_suffix(".json"), lambda tmp: tmp.write_text(meta))
    return Trained(model, seconds, False, sha)


def prepare(sc: Scenario, progress: Progress = silent, cache: Path | None = None) -> Prepared:
    """Load data, split it, and get the original and gold models (cached when possible)."""
    cache = paths.cache_dir() if cache is None else cache
    device = pick_device(sc.device)
    progress(0, 1, stage="data")
    table = load_dataset(sc.dataset.name, sc.dataset.options, cache)
    splits = make_splits(table, sc.task, sc.forget, sc.seed, sc.split.test_fraction, sc.split.unseen_fraction)
    progress(1, 1, stage="data", **{f"n_{k}": float(v) for k, v in splits.sizes().items()})
    original = train_reference(sc, splits, "train", device, progress, "original", cache)
    gold = train_reference(sc, splits, "retain", device, progress, "gold", cache)
    return Prepared(sc, splits, device, original, gold)


def metric_settings(sc: Scenario) -> dict[str, Any]:
    """What the metrics read from the scenario (live and final alike): its ``evaluation`` section."""
    return asdict(sc.evaluation)


def run_method(prep: Prepared, method_name: str, params: dict, progress: Progress = silent,
               workdir: Path | None = None) -> tuple[nn.Module, float, dict]:
    """Apply one unlearning method to a copy of the original model; returns model, seconds, artifacts."""
    import copy

    method_cls = METHODS.get(method_name)
    method = method_cls(build_params(method_cls.Params, params, where="method.params"))
    sc = prep.scenario
    ctx = Context(model=copy.deepcopy(prep.original.model).to(prep.device), splits=prep.splits,
                  device=prep.device, model_name=sc.model, train=sc.train, seed=sc.seed,
                  progress=progress, gold=prep.gold.model, workdir=workdir, calibrate_on=method_cls.calibration_split,
                  metric_settings=metric_settings(sc))
    method.check(ctx)
    seed_everything(sc.seed)
    start = time.perf_counter()
    model = method.unlearn(ctx)
    ctx.recalibrate(model)  # counted in the method's time: it is part of producing the model
    return model, time.perf_counter() - start, ctx.artifacts


def evaluate_model(prep: Prepared, model: nn.Module, seconds: float, extras: dict | None = None) -> dict[str, float]:
    """The full metric table for one model, with its time and speed-up over retraining.

    When ``extras`` is given it receives what metrics keep beside their numbers (e.g. ROC points)."""
    sc = prep.scenario
    settings = {**metric_settings(sc),  # a several-attribute run is scored on each attribute:
                "extra_attributes": list(sc.method.params.get("extra_attributes") or [])}
    ev = Evaluation(model, prep.splits, prep.device, gold=prep.gold.model, settings=settings)
    metrics = evaluate(ev)
    if extras is not None:
        extras.update(_jsonable(ev.extras) or {})
    metrics["seconds"] = seconds
    metrics["speedup"] = prep.gold.seconds / seconds if seconds > 0 else float("nan")
    return metrics


def run_scenario(sc: Scenario, progress: Progress = silent, workdir: Path | None = None,
                 cache: Path | None = None) -> dict:
    """The whole pipeline; returns the JSON-able results document (see README)."""
    prep = prepare(sc, progress, cache)
    # the live chart's gold line: the attack accuracy to match, computed as the chart's points are
    progress(0, 1, stage="unlearn", gold_mia_acc=live_attack_accuracy(prep.gold.model, prep.splits, prep.device))
    model, seconds, artifacts = run_method(prep, sc.method.name, sc.method.params, progress, workdir)
    progress(0, 3, stage="evaluate")
    rows = []
    for i, (name, m, s) in enumerate([("original", prep.original.model, prep.original.seconds),
                                       ("gold", prep.gold.model, prep.gold.seconds),
                                       (sc.method.name, model, seconds)]):
        extras: dict = {}
        rows.append({"model": name, "metrics": evaluate_model(prep, m, s, extras), "extras": extras})
        progress(i + 1, 3, stage="evaluate")
    checkpoints = {"original": prep.original.sha256, "gold": prep.gold.sha256}
    if workdir is not None:
        checkpoints[sc.method.name] = save_checkpoint(model, workdir / "unlearned.pt")
    doc = {"scenario": sc.to_dict(), "sizes": prep.splits.sizes(), "warnings": prep.splits.warnings(), "results": rows,
           "checkpoints": checkpoints, "artifacts": _jsonable(artifacts), "code": code_version()}
    if workdir is not None:  # the visual audit's maps, computed here in the worker (never on a shared model)
        from core.explain.saliency_audit import safe_saliency_audit

        models = {"original": prep.original.model, "gold": prep.gold.model, sc.method.name: model}
        progress(0, 1, stage="audit")
        doc["audit"] = safe_saliency_audit(prep, models, workdir)
        progress(1, 1, stage="audit")
    return doc


def _jsonable(obj: Any) -> Any:
    """Keep only what JSON can hold (methods may put tensors in artifacts for files, not the store)."""
    try:
        json.dumps(obj)
        return obj
    except TypeError:
        return {k: v for k, v in obj.items() if _is_json(v)} if isinstance(obj, dict) else None


def _is_json(v: Any) -> bool:
    try:
        json.dumps(v)
        return True
    except TypeError:
        return False
