"""The attacks' reference (shadow) models: the k-th trained on a seeded half of the data, with or without
the target examples, cached like the gold model.

RMIA's offline mode needs models that never saw any target example ("out" references); online LiRA needs
models that saw each target example in about half of them. Both are the pipeline's own recipe
(:func:`core.pipeline.reference_models.train_reference`: the scenario's model and training settings, BatchNorm recalibrated
on the model's own rows), on rows chosen here:

- a seeded half of ``retain`` (the population the target model was also trained on), and
- ``with_targets``: a seeded half of the *targets* (the forget set and its matched non-members), drawn
  so that every target is in exactly ``⌊n/2⌋`` of the ``n`` models (LiRA's ``keep`` matrix).

Each model is cached under ``models/reference-{out|in}-<key>.pt`` (the key names its rows and seed), so a
second run of the same scenario and seed, or another method on it, loads them.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core.metrics.nonmembers import matched_unseen
from core.progress import Progress, silent

SEED_STRIDE = 7919  # reference k of scenario seed s trains with seed s * SEED_STRIDE + k + 1 (never s itself)


@dataclass
class ReferenceSet:
    """``n`` reference models, which target rows each trained on (``keep[k, j]``: model k saw target j),
    the target rows (forget rows first, then the matched non-members), and what they cost."""

    models: list[nn.Module]
    keep: np.ndarray
    targets: torch.Tensor
    n_forget: int
    with_targets: bool
    seconds: float  # training time of the models trained now (cached ones cost nothing)
    cached: int  # how many were loaded from the cache
    _logits: torch.Tensor | None = None

    def logits(self, splits, device: torch.device) -> torch.Tensor:
        """``[n_models, n_targets, out_dim]`` logits of every reference model on the targets, computed once."""
        if self._logits is None:
            from core.training import predict_logits

            x, _ = splits.tensors(self.targets)
            self._logits = torch.stack([predict_logits(m, x, device).float() for m in self.models])
        return self._logits


def target_rows(splits) -> tuple[torch.Tensor, int]:
    """The attacks' targets: the forget rows, then the matched non-members (one home: nonmembers.py)."""
    forget = splits.forget
    return torch.cat([forget, matched_unseen(splits).index(splits)]), len(forget)


def keep_matrix(n_models: int, n_targets: int, seed: int) -> np.ndarray:
    """``[n_models, n_targets]`` bools, each column with exactly ``⌊n_models/2⌋`` Trues (seeded)."""
    rng = np.random.default_rng(seed)
    order = rng.random((n_models, n_targets)).argsort(0)
    return order < n_models // 2


def retain_half(splits, seed: int, k: int) -> torch.Tensor:
    """A seeded random half of ``retain`` for reference ``k``."""
    retain = splits.retain
    gen = torch.Generator().manual_seed(seed * SEED_STRIDE + k + 1)
    return retain[torch.randperm(len(retain), generator=gen)[: max(1, len(retain) // 2)]]


def reference_rows(splits, seed: int, k: int, keep: np.ndarray | None, targets: torch.Tensor) -> torch.Tensor:
    """The rows reference ``k`` trains on: its half of retain, plus its targets when ``keep`` is given."""
    rows = retain_half(splits, seed, k)
    if keep is not None:
        rows = torch.cat([rows, targets[torch.from_numpy(keep[k])]])
    return torch.sort(rows).values


def reference_model(prep, k: int, rows: torch.Tensor, with_targets: bool, cache: Path | None,
                    progress: Progress = silent):
    """The k-th reference model of ``prep``'s scenario on ``rows`` (a :class:`core.pipeline.reference_models.Trained`)."""
    from core.pipeline.reference_models import train_reference

    sc = dataclasses.replace(prep.scenario, seed=prep.scenario.seed * SEED_STRIDE + k + 1)
    stage = f"reference-{'in' if with_targets else 'out'}"
    return train_reference(sc, prep.splits, "retain", prep.device, progress, stage, cache, rows=rows)


def reference_set(prep, n: int, with_targets: bool, cache: Path | None, progress: Progress = silent) -> ReferenceSet:
    """``n`` reference models (trained once, then cached); see the module docstring."""
    if n < 1:
        raise ValueError(f"evaluation.reference_models: {n}; the reference attacks need at least 1 model")
    if with_targets and n < 2:
        raise ValueError("evaluation.reference_models: online LiRA needs at least 2 models (each target is in "
                         "half of them); give reference_models: 2 or more")
    targets, n_forget = target_rows(prep.splits)
    seed = prep.scenario.seed
    keep = keep_matrix(n, len(targets), seed) if with_targets else np.zeros((n, len(targets)), bool)
    models, seconds, cached = [], 0.0, 0
    start = time.perf_counter()
    for k in range(n):
        rows = reference_rows(prep.splits, seed, k, keep if with_targets else None, targets)
        trained = reference_model(prep, k, rows, with_targets, cache, silent)
        models.append(trained.model.eval())
        cached += int(trained.cached)
        progress(k + 1, n, stage="audit")
    seconds = time.perf_counter() - start
    return ReferenceSet(models, keep, targets, n_forget, with_targets, seconds, cached)


REFERENCE_ATTACKS = {"rmia": False, "lira_online": True}
"""The attacks that need reference models, and whether theirs train with the targets (online) or not."""


def attack_references(prep, attacks: list[str], n: int, cache: Path | None,
                      progress: Progress = silent) -> tuple[dict[str, ReferenceSet], dict[str, dict]]:
    """The reference sets ``attacks`` need (``{attack: ReferenceSet}``) and what each cost
    (``{attack: {"seconds", "models", "cached"}}``: training seconds on this machine, 0 when all were cached)."""
    sets, costs = {}, {}
    for name in attacks:
        if name in REFERENCE_ATTACKS:
            refs = reference_set(prep, n, REFERENCE_ATTACKS[name], cache, progress)
            sets[name] = refs
            costs[name] = {"reference_seconds": refs.seconds, "models": n, "cached": refs.cached}
    return sets, costs
