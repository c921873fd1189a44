"""``unlearn tune --parallel N``: N Ray tasks optimise one Optuna study through its shared storage.

Optuna's documented way to parallelise: several workers load the same study from one RDB storage and
each runs trials; the storage hands out the queued defaults trial once and records every result. The
driver prepares the reference models first (into the disk cache, so every worker loads them instead of
training) and splits the remaining trial count among the workers, so the study ends with exactly
``--trials`` finished trials. Each worker samples with its own seed (the scenario's seed + its index),
so two workers do not propose the same random startup settings. Ray is started or joined by
:func:`core.cluster.ray_session`. The storage must be reachable from every worker: the default
SQLite file under ``UNLEARN_HOME`` is, for a local Ray; on a cluster give ``UNLEARN_HOME`` a shared path
(sqlite over NFS is fragile under load) or ``--storage`` a database URL every node can reach.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

POLL_SECONDS = 1.0  # how often the driver re-reads the study to move the progress bar


def split_count(total: int, workers: int) -> list[int]:
    """``total`` trials as ``workers`` near-equal shares, none empty (3 over 2 → [2, 1])."""
    workers = max(1, min(workers, total))
    return [total // workers + (1 if i < total % workers else 0) for i in range(workers)]


def tune_worker(scenario: dict, method: str, n_trials: int, budget: float, fixed: dict, index: int,
                storage: str, cache: str | None, num_cpus: float, val_seeds: int = 1) -> int:
    """One Ray task: load the shared study and run ``n_trials`` trials of it; returns how many it ran."""
    import torch

    from core.config import scenario_from_dict
    from core.tune.objective import TuneObjective, gold_target
    from core.tune.storage import load_shared
    from core.tune.validation import validation_preps

    torch.set_num_threads(max(1, int(num_cpus)))
    sc = scenario_from_dict(scenario)
    vpreps = validation_preps(sc, val_seeds, cache=Path(cache) if cache else None)  # the driver cached them
    targets = [gold_target(v, budget) for v in vpreps]
    study = load_shared(scenario, method, budget, fixed, sc.seed + index, n_trials, storage, val_seeds)
    study.optimize(TuneObjective(vpreps, method, targets, fixed), n_trials=n_trials, gc_after_trial=True)
    return n_trials


def run_parallel(study, scenario: dict, method: str, remaining: int, budget: float, fixed: dict, workers: int,
                 address: str | None, storage: str, cache: Path | None,
                 on_trial: Callable | None = None, num_cpus: float = 1.0, val_seeds: int = 1) -> None:
    """Dispatch the workers on Ray and wait for them, calling ``on_trial`` as trials land in the study."""
    from core import paths
    from core.cluster import ray_session

    cache = cache or paths.cache_dir()  # the driver's cache, named explicitly: workers need not share its env
    shares = split_count(remaining, workers)
    with ray_session(address, num_cpus=len(shares) * num_cpus) as ray:
        task = ray.remote(tune_worker).options(num_cpus=num_cpus, max_retries=0, name="tune worker")
        pending = [task.remote(scenario, method, n, budget, fixed, i, storage, str(cache) if cache else None,
                               num_cpus, val_seeds) for i, n in enumerate(shares)]
        seen = 0
        while pending:
            done, pending = ray.wait(pending, num_returns=len(pending), timeout=POLL_SECONDS)
            ray.get(done)  # a worker that raised raises here, with its error
            trials = study.get_trials(deepcopy=False)
            finished = [t for t in trials if t.state.is_finished()]
            if on_trial and len(finished) > seen:
                seen = len(finished)
                on_trial(study, finished[-1])
