"""Where a tune's Optuna study is kept and how it is opened: its name, its storage and its heartbeat.

The study lives in ``sqlite:///$UNLEARN_HOME/tune.db`` (or the storage given) under a name derived from
the scenario (all of it but the method section and the run name), the method, the budget, the fixed
parameters and the number of validation seeds, so running the same tune again continues the stored study;
a trial left running by a killed process is marked failed by Optuna's heartbeat and run again. Shared by
the driver (:mod:`core.tune.study`), the ``--parallel`` workers (:mod:`core.tune.parallel`) and the
dashboard's detached tunes (:mod:`core.tune.detached`).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path

import optuna

from core import paths

FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
HEARTBEAT_SECONDS, GRACE_SECONDS = 5, 20
# A --parallel worker fails any trial whose heartbeat is older than the grace period when it starts its own
# trial; on a loaded machine a live trial's heartbeat thread can stall past 20 s, and another worker then
# failed a trial that was still running (seen under load: the study ended one trial short). A killed
# parallel worker's trial is failed after this longer wait instead.
PARALLEL_GRACE_SECONDS = 600


def storage_url(home: Path | None = None) -> str:
    return f"sqlite:///{(home or paths.home()) / 'tune.db'}"


def study_name(scenario: dict, method: str, budget: float, fixed: dict | None = None, val_seeds: int = 1) -> str:
    """``tune-METHOD-HASH``: the same scenario, method, budget, fixed values and number of validation seeds
    give the same (resumed) study (one seed hashes as before validation seeds existed)."""
    what = {k: v for k, v in scenario.items() if k not in ("method", "name")}
    key = [what, method, float(budget), fixed or {}] + ([int(val_seeds)] if val_seeds != 1 else [])
    blob = json.dumps(key, sort_keys=True, default=str)
    return f"tune-{method}-{hashlib.sha256(blob.encode()).hexdigest()[:12]}"


def open_study(name: str, seed: int, n_trials: int, home: Path | None = None,
               storage: str | None = None, grace: int = GRACE_SECONDS) -> optuna.Study:
    """Create or load the study (in ``storage``, default the SQLite file under ``home``); TPE starts
    from random trials for a third of the budget (3 to 10)."""
    if storage is None:
        (home or paths.home()).mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():  # heartbeat is flagged experimental; it is what makes a killed trial retry
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        storage = optuna.storages.RDBStorage(storage or storage_url(home), heartbeat_interval=HEARTBEAT_SECONDS,
                                             grace_period=grace)
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=min(10, max(3, n_trials // 3)))
    pruner = optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0)
    return optuna.create_study(study_name=name, storage=storage, sampler=sampler, pruner=pruner,
                               direction="minimize", load_if_exists=True)


def load_shared(scenario: dict, method: str, budget: float, fixed: dict, seed: int, n_trials: int,
                storage: str, val_seeds: int = 1) -> optuna.Study:
    """The study a ``--parallel`` worker optimises: the driver's, by name, in the shared ``storage``."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return open_study(study_name(scenario, method, budget, fixed, val_seeds), seed, n_trials, storage=storage,
                      grace=PARALLEL_GRACE_SECONDS)


def finished_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False) if t.state in FINISHED]
