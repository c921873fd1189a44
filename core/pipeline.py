"""Run a Scenario end to end: data, original model, gold model, unlearning, evaluation.

The original and gold models are cached on disk keyed by everything that produced them, so a
second run of the same scenario (or another method on it) skips straight to unlearning.
Progress is reported per stage; the worker records it, the CLI draws it.
"""

from __future__ import annotations

import hashlib
import json
import math
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
from core.provenance import code_version
from core.training import (file_sha256, load_checkpoint, pick_device, recalibrate_batchnorm, save_checkpoint,
                           seed_everything, train_epochs)

STAGES = ("data", "original", "gold", "unlearn", "evaluate", "audit")
BOOTSTRAP_RESAMPLES = 200  # resamples of each final metric's interval (core/metrics/bootstrap.py)
REFERENCE_RECIPE = "bn-recalibrated"  # in the cache key: models cached before the recipe changed are retrained


@dataclass
class Trained:
    """A model with how long it took to train (NaN: not trained here and no time given) and where it came
    from: ``source`` is "trained", "cache" or "checkpoint" (``path`` then names the file)."""

    model: nn.Module
    seconds: float
    cached: bool
    sha256: str = ""
    source: str = "trained"
    path: str = ""
    audit_seconds: float = 0.0  # time in progress reports during training, left out of ``seconds``

    def provenance(self) -> dict[str, Any]:
        """Where the model came from, for the run document, the store and the report."""
        out: dict[str, Any] = {"source": self.source, "sha256": self.sha256}
        if self.path:
            out["path"] = self.path
        return out


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


def _train_key(sc: Scenario) -> dict[str, Any]:
    """The training settings as the cache key reads them: ``init`` by its file's content, and left out
    when empty (so models cached before ``train.init`` existed are still found)."""
    train = asdict(sc.train)
    init = train.pop("init", "")
    if init:
        from core.training import file_sha256

        train["init_sha256"] = file_sha256(Path(init).expanduser())
    return train


def reference_key(sc: Scenario, splits: Splits, index: torch.Tensor) -> str:
    """What a reference model depends on: the data as loaded now (the table's fingerprint, so a changed
    dataset folder never reuses a model trained on its old files), the rows, task, model, training
    settings (and starting weights), seed and training recipe."""
    return _key(sc.dataset.name, sc.dataset.options, splits.table.fingerprint, sc.task, sc.model, _train_key(sc),
                sc.seed, _index_digest(index), REFERENCE_RECIPE)


def reference_path(sc: Scenario, splits: Splits, split: str, stage: str, cache: Path,
                   rows: torch.Tensor | None = None) -> Path:
    """Where the reference model trained on ``split`` (original: train, gold: retain) is cached; ``rows``,
    when given, are the rows it trained on instead (the attacks' reference models, core/references.py)."""
    index = splits.index(split) if rows is None else rows
    return cache / "models" / f"{stage}-{reference_key(sc, splits, index)}.pt"


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
        return Trained(model.to(device), float(meta["seconds"]), True, sha, source="cache")
    except Exception as exc:  # whatever is wrong with a cache entry, retraining replaces it
        warnings.warn(f"cached model {path} is unreadable ({type(exc).__name__}: {exc}); retraining it", stacklevel=2)
        return None


def _builder(sc: Scenario, splits: Splits) -> Callable[[], nn.Module]:
    c, h, _ = splits.table.image_shape

    def build() -> nn.Module:  # a fresh model each time: a failed load may have half-filled one
        seed_everything(sc.seed)
        return build_model(sc.model, ModelSpec(c, h, splits.task.out_dim))

    return build


def train_reference(sc: Scenario, splits: Splits, split: str, device: torch.device, progress: Progress,
                    stage: str, cache: Path | None, extras: dict | None = None,
                    rows: torch.Tensor | None = None) -> Trained:
    """Train (or load from cache) a model on ``split`` with the scenario's settings, from random weights or
    ``train.init``'s (what was loaded and skipped goes to ``extras["init"]``).

    ``seconds`` is training compute only: the time spent in progress reports (store writes, drawing) is
    measured apart (``audit_seconds``) and left out, as for the methods; nothing is evaluated inside."""
    from core.methods.base import TimedProgress

    index = splits.index(split) if rows is None else rows
    build = _builder(sc, splits)
    path = reference_path(sc, splits, split, stage, cache, rows) if cache else None
    cached = _load_cached(build, path, device) if path is not None else None
    if cached is not None:
        progress(1, 1, stage=stage, cached=1.0)
        return cached
    model = build()
    if sc.train.init:
        from core.models.checkpoint_import import load_init

        imported = load_init(model, sc.train.init, model_name=sc.model)
        if extras is not None:
            extras["init"] = imported.provenance()
    timed = TimedProgress(progress)
    start = time.perf_counter()
    loader = splits.loader(index, sc.train.batch_size, shuffle=True, seed=sc.seed)
    train_epochs(model, loader, splits.task, sc.train.epochs, sc.train.lr, device, timed, stage=stage)
    recalibrate_batchnorm(model, splits.loader(index, sc.train.batch_size), device)  # as every method's model
    seconds = time.perf_counter() - start - timed.seconds
    sha = ""
    if path is not None:  # the weights first, then the .json that marks the entry complete; each atomic
        sha = save_checkpoint(model, path)
        meta = json.dumps({"seconds": seconds, "sha256": sha})
        atomic_write(path.with_suffix(".json"), lambda tmp: tmp.write_text(meta))
    return Trained(model, seconds, False, sha, audit_seconds=timed.seconds)


def load_reference(sc: Scenario, splits: Splits, split: str, device: torch.device, progress: Progress,
                   stage: str, checkpoint: str, seconds: float = 0.0) -> Trained:
    """A reference model from the user's state dict, shapes checked against the model built for this data.

    Its BatchNorm statistics are re-estimated on ``split`` (train for the original, retain for gold), as
    the pipeline does for the models it trains and every method's model: all models are then scored with
    statistics of the same images, and a checkpoint of weights trained here gives the same numbers."""
    from core.models.checkpoint_import import load_checkpoint_into

    progress(0, 1, stage=stage)
    imported = load_checkpoint_into(_builder(sc, splits)(), checkpoint, f"{stage}.checkpoint", sc.model)
    model = imported.model.to(device)
    recalibrate_batchnorm(model, splits.loader(splits.index(split), sc.train.batch_size), device)
    progress(1, 1, stage=stage, checkpoint=1.0)
    return Trained(model, seconds if seconds > 0 else float("nan"), False, imported.sha256, "checkpoint",
                   imported.path)


def _reference(sc: Scenario, splits: Splits, split: str, device: torch.device, progress: Progress, stage: str,
               cache: Path | None, extras: dict) -> Trained:
    source = getattr(sc, stage)
    if source.checkpoint:
        return load_reference(sc, splits, split, device, progress, stage, source.checkpoint, source.seconds)
    return train_reference(sc, splits, split, device, progress, stage, cache, extras)


def init_provenance(sc: Scenario, splits: Splits) -> dict[str, Any]:
    """``train.init``'s file, sha256 and the keys it skips for this data, checked once before any training
    (references loaded from the cache were trained from it too, so the record holds for them as well)."""
    from core.models.checkpoint_import import load_init

    return load_init(_builder(sc, splits)(), sc.train.init, model_name=sc.model).provenance()


def prepare(sc: Scenario, progress: Progress = silent, cache: Path | None = None,
            device: torch.device | None = None) -> Prepared:
    """Load data, split it, and get the original and gold models: from the scenario's checkpoints when it
    names them, else trained here (cached when possible). ``device``: the one the caller already picked
    from ``sc.device`` (the worker records it on the run); picked here only when not given."""
    cache = paths.cache_dir() if cache is None else cache
    device = pick_device(sc.device) if device is None else device
    progress(0, 1, stage="data")
    table = load_dataset(sc.dataset.name, sc.dataset.options, cache)
    splits = make_splits(table, sc.task, sc.forget, sc.seed, sc.split.test_fraction, sc.split.unseen_fraction)
    progress(1, 1, stage="data", **{f"n_{k}": float(v) for k, v in splits.sizes().items()})
    extras: dict[str, Any] = {"init": init_provenance(sc, splits)} if sc.train.init else {}
    original = _reference(sc, splits, "train", device, progress, "original", cache, extras)
    gold = _reference(sc, splits, "retain", device, progress, "gold", cache, extras)
    return Prepared(sc, splits, device, original, gold, extras)


def metric_settings(sc: Scenario) -> dict[str, Any]:
    """What the metrics read from the scenario (live and final alike): its ``evaluation`` section."""
    return asdict(sc.evaluation)


def run_method(prep: Prepared, method_name: str, params: dict, progress: Progress = silent,
               workdir: Path | None = None, timing: dict | None = None) -> tuple[nn.Module, float, dict]:
    """Apply one unlearning method to a copy of the original model; returns model, seconds, artifacts.

    ``seconds`` is the method's unlearning compute only: the live evaluations and progress reports it
    makes (``Context.audit_seconds``) are measured apart and left out; ``timing``, when given, receives
    ``{"seconds", "audit_seconds", "audit_cpu_seconds"}``. The final BatchNorm recalibration is counted in: it produces the model."""
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
    audit_before, audit_cpu_before = ctx.audit_seconds, ctx.audit_cpu_seconds
    start = time.perf_counter()
    model = method.unlearn(ctx)
    ctx.recalibrate(model)  # counted in the method's time: it is part of producing the model
    audit = ctx.audit_seconds - audit_before
    seconds = max(time.perf_counter() - start - audit, 0.0)
    if timing is not None:
        timing.update(seconds=seconds, audit_seconds=audit, audit_cpu_seconds=ctx.audit_cpu_seconds - audit_cpu_before)
    return model, seconds, ctx.artifacts


def evaluate_model(prep: Prepared, model: nn.Module, seconds: float, extras: dict | None = None,
                   audit_seconds: float | None = None, intervals: dict | None = None,
                   resamples: int = BOOTSTRAP_RESAMPLES, gold_mia_acc: float | None = None) -> dict[str, float]:
    """The full metric table for one model, with its time and speed-up over retraining (NaN when either
    time is unknown: a checkpoint given without ``seconds``), and ``audit_seconds`` when given.

    When ``extras`` is given it receives what metrics keep beside their numbers (e.g. ROC points); when
    ``intervals`` is given it receives each metric's 95% bootstrap interval over the forget set's units
    (core/metrics/bootstrap.py; ``resamples`` draws, seeded by the scenario's seed; ``gold_mia_acc``, the gold
    row's attack accuracy when known, saves rerunning the gold model's attack)."""
    sc = prep.scenario
    settings = {**metric_settings(sc),  # a several-attribute run is scored on each attribute:
                "extra_attributes": list(sc.method.params.get("extra_attributes") or [])}
    refs = {"references": prep.extras["references"]} if prep.extras.get("references") else {}  # attacks' models
    ev = Evaluation(model, prep.splits, prep.device, gold=prep.gold.model, settings=settings, extras=refs)
    metrics = evaluate(ev)
    if extras is not None:
        extras.update(_jsonable(ev.extras) or {})
    if intervals is not None:
        from core.metrics.bootstrap import evaluation_intervals

        intervals.update(evaluation_intervals(ev, metrics, resamples, sc.seed, gold_mia_acc))
    metrics["seconds"] = seconds
    known = seconds > 0 and math.isfinite(seconds) and math.isfinite(prep.gold.seconds)
    metrics["speedup"] = prep.gold.seconds / seconds if known else float("nan")
    if audit_seconds is not None:
        metrics["audit_seconds"] = audit_seconds
    return metrics


def _notes(prep: Prepared) -> list[str]:
    """What a reader must know to read the times: a reference model that was not trained here."""
    notes = []
    if prep.original.source == "checkpoint":
        notes.append(f"The original model is the checkpoint {prep.original.path} (sha256 {prep.original.sha256[:12]}…), "
                     "not trained here; its BatchNorm statistics were re-estimated on the train split, as for "
                     "every model scored")
    if prep.gold.source == "checkpoint" and not math.isfinite(prep.gold.seconds):
        notes.append("The gold model is a checkpoint given without gold.seconds: retraining's time, hence every "
                     "speed-up, is unknown (NaN); give gold.seconds to compare")
    if prep.extras.get("init", {}).get("skipped"):
        notes.append(f"train.init: kept every key of {prep.extras['init']['path']} but "
                     f"{', '.join(prep.extras['init']['skipped'])} (shapes differ for this data; trained from scratch)")
    return notes


def run_scenario(sc: Scenario, progress: Progress = silent, workdir: Path | None = None,
                 cache: Path | None = None, device: torch.device | None = None) -> dict:
    """The whole pipeline; returns the JSON-able results document (see README)."""
    from core.metrics.bootstrap import forget_units
    from core.verdict import verdict

    cache = paths.cache_dir() if cache is None else cache
    prep = prepare(sc, progress, cache, device)
    attack_costs = _attack_references(prep, cache, progress)
    # the live chart's gold line: the attack accuracy to match, computed as the chart's points are
    progress(0, 1, stage="unlearn", gold_mia_acc=live_attack_accuracy(prep.gold.model, prep.splits, prep.device))
    timing: dict = {}
    model, seconds, artifacts = run_method(prep, sc.method.name, sc.method.params, progress, workdir, timing)
    progress(0, 3, stage="evaluate")
    scored: dict[str, dict] = {}
    gold_mia = None
    for i, (name, m, s, audit) in enumerate([  # gold first: the others' mia_gold_gap intervals read its attack
            ("gold", prep.gold.model, prep.gold.seconds, prep.gold.audit_seconds),
            ("original", prep.original.model, prep.original.seconds, prep.original.audit_seconds),
            (sc.method.name, model, seconds, timing["audit_seconds"])]):
        extras: dict = {}
        ci: dict = {}
        metrics = evaluate_model(prep, m, s, extras, audit, ci, gold_mia_acc=gold_mia)
        gold_mia = metrics.get("mia_acc") if name == "gold" else gold_mia
        scored[name] = {"model": name, "metrics": metrics, "metric_ci": ci, "extras": extras}
        progress(i + 1, 3, stage="evaluate")
    rows = [scored["original"], scored["gold"], scored[sc.method.name]]
    checkpoints = {"original": prep.original.sha256, "gold": prep.gold.sha256}
    if workdir is not None:
        checkpoints[sc.method.name] = save_checkpoint(model, workdir / "unlearned.pt")
    sources = {"original": prep.original.provenance(), "gold": prep.gold.provenance()}
    if "init" in prep.extras:
        sources["init"] = prep.extras["init"]
    doc = {"scenario": sc.to_dict(), "sizes": prep.splits.sizes(), "warnings": prep.splits.warnings(), "results": rows,
           "checkpoints": checkpoints, "sources": sources, "notes": _notes(prep),
           "forget_units": forget_units(prep.splits), "artifacts": _jsonable(artifacts), "code": code_version()}
    doc["verdict"] = verdict(doc)
    if workdir is not None:  # the visual audit's maps, computed here in the worker (never on a shared model)
        from core.explain.saliency_audit import safe_saliency_audit

        models = {"original": prep.original.model, "gold": prep.gold.model, sc.method.name: model}
        progress(0, 1, stage="audit")
        doc["audit"] = safe_saliency_audit(prep, models, workdir)
        progress(1, 1, stage="audit")
    _model_set_attacks(prep, doc, model, cache, progress, workdir, attack_costs)
    return doc


def _attack_references(prep: Prepared, cache: Path | None, progress: Progress) -> dict:
    """Train (or load) the reference models ``evaluation.attacks`` needs into ``prep.extras["references"]``;
    returns what each attack's references cost."""
    from core.references import attack_references

    ev = prep.scenario.evaluation
    prep.extras["references"], costs = attack_references(prep, ev.attacks, ev.reference_models, cache, progress)
    return costs


def _model_set_attacks(prep: Prepared, doc: dict, model: nn.Module, cache: Path | None, progress: Progress,
                       workdir: Path | None, costs: dict) -> None:
    """The ε-score (many unlearned vs retrained models) and the per-sample risk table, into ``doc`` (and the
    risk table as ``risk_table.json`` in the run folder)."""
    sc, rows = prep.scenario, doc["results"]
    if "epsilon" in sc.evaluation.attacks:
        from core.epsilon_models import epsilon_report

        eps = epsilon_report(prep, sc.evaluation.epsilon_models, cache, sc.evaluation.epsilon_runner, progress)
        doc["epsilon"] = eps
        rows[-1]["metrics"].update(eps_forget_quality=eps["forget_quality"], eps_score=eps["score"])
        costs["epsilon"] = {"seconds": eps["seconds"], "models": 2 * eps["n_models"], "cached": eps["cached"]}
    doc["attack_costs"] = costs
    scores = {row["model"]: row["extras"].get("attack_scores", {}) for row in rows}
    if workdir is not None and any(scores.values()):
        from core.metrics.risk_table import RISK_FILE, build_risk_table

        models = {"original": prep.original.model, "gold": prep.gold.model, sc.method.name: model}
        table = build_risk_table(prep, models, scores, sc.method.name, doc.get("audit"))
        atomic_write(Path(workdir) / RISK_FILE, lambda tmp: tmp.write_text(json.dumps(table)))
        doc["risk_table"] = {"file": RISK_FILE, "attack": table["attack"], "n": table["n"],
                             "top": [{k: r[k] for k in ("row", "unit", "rank", "loss", "scores")} for r in table["rows"][:10]]}


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
