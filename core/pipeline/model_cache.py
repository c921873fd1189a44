"""Where the scenario's reference models are cached: a key of everything that produced a model, and its file.

A model trained here is cached under ``models/<stage>-<key>.pt`` (its ``.json`` beside it, written last),
keyed by the data as loaded now, the rows, task, model, training settings (and starting weights), seed
and training recipe: a second run of the same scenario, or another method on it, loads it instead of
training, and a changed dataset folder or recipe never reuses an old model.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from core.config import Scenario
from core.data.splits import Splits

REFERENCE_RECIPE = "bn-recalibrated"  # in the cache key: models cached before the recipe changed are retrained


def cache_key(*parts: Any) -> str:
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
    return cache_key(sc.dataset.name, sc.dataset.options, splits.table.fingerprint, sc.task, sc.model, _train_key(sc),
                sc.seed, _index_digest(index), REFERENCE_RECIPE)


def reference_path(sc: Scenario, splits: Splits, split: str, stage: str, cache: Path,
                   rows: torch.Tensor | None = None) -> Path:
    """Where the reference model trained on ``split`` (original: train, gold: retain) is cached; ``rows``,
    when given, are the rows it trained on instead (the attacks' reference models, core/pipeline/references.py)."""
    index = splits.index(split) if rows is None else rows
    return cache / "models" / f"{stage}-{reference_key(sc, splits, index)}.pt"


def is_cached(path: Path) -> bool:
    """Whether a complete cache entry is there (the .json beside the weights is written last)."""
    return path.exists() and path.with_suffix(".json").exists()
