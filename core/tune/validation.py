"""The validation views a tune scores on: the scenario prepared (cached references) and viewed for
validation (test := half of unseen), once per validation seed.

``val_seeds`` K > 1 scores every trial on K validation seeds (the scenario's seed, +1, … +K−1), each its
own split, original and gold model (cached as any prepared scenario): a setting tuned on one seed fits
that seed's references. Shared by the driver (:mod:`core.tune.study`) and the ``--parallel`` workers
(:mod:`core.tune.parallel`), which rebuild the same views from the cache.
"""

from __future__ import annotations

from pathlib import Path

from core.progress import Progress, silent
from core.tune.errors import TuneError


def validation_prep(sc, progress: Progress = silent, cache: Path | None = None):
    """The scenario prepared (cached references) and viewed for validation: test := half of unseen."""
    from core.bench.validation import validation_view
    from core.pipeline.prepared import prepare
    from core.runs.store import stored_run_folder

    return validation_view(prepare(sc, progress, cache, run_folder=stored_run_folder), sc.seed)


DEFAULT_VAL_SEEDS = 2
"""Validation seeds a tune scores on unless told (``--val-seeds``): two already halve one seed's luck."""


def default_val_seeds(sc) -> int:
    """:data:`DEFAULT_VAL_SEEDS`, or 1 for a scenario with a checkpoint (its model fixes the split)."""
    return 1 if sc.original.checkpoint or sc.gold.checkpoint else DEFAULT_VAL_SEEDS


def validation_seeds(sc, k: int) -> list[int]:
    """The seeds a tune scores on: the scenario's, then the next ``k − 1``; refused where a seed cannot move."""
    if k < 1:
        raise TuneError("--val-seeds: score on at least one validation seed")
    if k > 1 and (sc.original.checkpoint or sc.gold.checkpoint):
        raise TuneError("--val-seeds: a scenario with a checkpoint has one split (the one its model was trained "
                        "on); another seed would draw another; use --val-seeds 1")
    return [sc.seed + i for i in range(k)]


def validation_preps(sc, k: int = 1, progress: Progress = silent, cache: Path | None = None) -> list:
    """One validation view per validation seed, each with its own references (from the cache when there)."""
    from core.config import scenario_from_dict

    return [validation_prep(sc if seed == sc.seed else scenario_from_dict({**sc.to_dict(), "seed": seed}),
                            progress, cache) for seed in validation_seeds(sc, k)]
