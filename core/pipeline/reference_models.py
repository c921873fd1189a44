"""The models a scenario is measured against: trained with its recipe, or from the cache or a checkpoint.

The original (train split), gold (retain) and every other reference model (the attacks', the ε-score's
retrainings) come from :func:`train_reference`: loaded from the model cache (:mod:`core.pipeline.model_cache`)
when a trusted entry is there, else trained from random weights or ``train.init``'s and cached. A
scenario that names a checkpoint gets it through :func:`load_reference` instead.
"""

from __future__ import annotations

import json
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch
from torch import nn

from core.config import Scenario
from core.data.splits import Splits
from core.pipeline.model_cache import is_cached, reference_path
from core.models import ModelSpec, build_model
from core.paths import atomic_write
from core.progress import Progress
from core.training import (file_sha256, load_checkpoint, recalibrate_batchnorm, save_checkpoint, seed_everything,
                           train_epochs)


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


def init_provenance(sc: Scenario, splits: Splits) -> dict[str, Any]:
    """``train.init``'s file, sha256 and the keys it skips for this data, checked once before any training
    (references loaded from the cache were trained from it too, so the record holds for them as well)."""
    from core.models.checkpoint_import import load_init

    return load_init(_builder(sc, splits)(), sc.train.init, model_name=sc.model).provenance()
