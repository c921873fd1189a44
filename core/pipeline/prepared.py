"""A scenario prepared once for every method run on it: its data, split, and original and gold models."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import torch

from core import paths
from core.config import Scenario
from core.data import load_dataset
from core.data.splits import Splits, make_splits
from core.progress import Progress, silent
from core.pipeline.reference_models import Trained, init_provenance, load_reference, train_reference
from core.training import pick_device


@dataclass
class Prepared:
    """What every method on the same scenario shares: the data and the two reference models."""

    scenario: Scenario
    splits: Splits
    device: torch.device
    original: Trained
    gold: Trained
    extras: dict[str, Any] = field(default_factory=dict)
    run_folder: Callable[[str], Path] | None = None  # stored runs' folders for the methods (Context.run_folder)


def _reference(sc: Scenario, splits: Splits, split: str, device: torch.device, progress: Progress, stage: str,
               cache: Path | None, extras: dict) -> Trained:
    source = getattr(sc, stage)
    if source.checkpoint:
        return load_reference(sc, splits, split, device, progress, stage, source.checkpoint, source.seconds)
    return train_reference(sc, splits, split, device, progress, stage, cache, extras)


def prepare(sc: Scenario, progress: Progress = silent, cache: Path | None = None,
            device: torch.device | None = None, run_folder: Callable[[str], Path] | None = None) -> Prepared:
    """Load data, split it, and get the original and gold models: from the scenario's checkpoints when it
    names them, else trained here (cached when possible). ``device``: the one the caller already picked
    from ``sc.device`` (the worker records it on the run); picked here only when not given. ``run_folder``:
    the caller's lookup of stored runs' folders, handed to every method run on it (``Context.run_folder``)."""
    cache = paths.cache_dir() if cache is None else cache
    device = pick_device(sc.device) if device is None else device
    progress(0, 1, stage="data")
    table = load_dataset(sc.dataset.name, sc.dataset.options, cache)
    splits = make_splits(table, sc.task, sc.forget, sc.seed, sc.split.test_fraction, sc.split.unseen_fraction)
    progress(1, 1, stage="data", **{f"n_{k}": float(v) for k, v in splits.sizes().items()})
    extras: dict[str, Any] = {"init": init_provenance(sc, splits)} if sc.train.init else {}
    original = _reference(sc, splits, "train", device, progress, "original", cache, extras)
    gold = _reference(sc, splits, "retain", device, progress, "gold", cache, extras)
    return Prepared(sc, splits, device, original, gold, extras, run_folder)
