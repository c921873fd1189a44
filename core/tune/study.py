"""The resumable Optuna study behind ``unlearn tune``: TPE sampling, median pruning, SQLite storage.

The study lives in ``sqlite:///$UNLEARN_HOME/tune.db`` under a name derived from the scenario (all of
it but the method section and the run name), the method, the budget and the fixed parameters, so
running the same tune again continues the stored study: finished trials (complete or pruned) count
toward ``--trials``, and a trial left running by a killed process is marked failed by Optuna's
heartbeat and run again. The first trial of a new study is the method's defaults, so the best setting
is never one the defaults beat on the validation part. The reference models come from the model cache
(:func:`core.pipeline.prepare`), prepared once per tune.

``val_seeds`` K > 1 scores every trial on K validation seeds (the scenario's seed, +1, … +K−1), each
its own split, original and gold model (cached as any prepared scenario), and minimises the mean value:
a setting tuned on one seed fits that seed's references. K is part of the study's name.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from pathlib import Path
from typing import Callable

import optuna

from core import paths
from core.methods import METHODS
from core.progress import Progress, silent
from core.tune.objective import Target, TuneObjective, gold_target, mean_target
from core.tune.space import defaults_in_space, search_space

FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
HEARTBEAT_SECONDS, GRACE_SECONDS = 5, 20
# A --parallel worker fails any trial whose heartbeat is older than the grace period when it starts its own
# trial; on a loaded machine a live trial's heartbeat thread can stall past 20 s, and another worker then
# failed a trial that was still running (seen under load: the study ended one trial short). A killed
# parallel worker's trial is failed after this longer wait instead.
PARALLEL_GRACE_SECONDS = 600


class TuneError(ValueError):
    """A tune that cannot start (a method without a search space, too few trials); the message says what to do."""


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


def validation_prep(sc, progress: Progress = silent, cache: Path | None = None):
    """The scenario prepared (cached references) and viewed for validation: test := half of unseen."""
    from core.bench.validation import validation_view
    from core.pipeline import prepare

    return validation_view(prepare(sc, progress, cache), sc.seed)


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


def tune(sc, method: str, n_trials: int, budget: float = 0.1, fixed: dict | None = None,
         on_trial: Callable[[optuna.Study, optuna.trial.FrozenTrial], None] | None = None,
         progress: Progress = silent, cache: Path | None = None, vprep=None, parallel: int = 1,
         address: str | None = None, storage: str | None = None, val_seeds: int = 1) -> dict:
    """Run (or resume) the study until ``n_trials`` trials have finished; returns the results document.
    ``parallel`` > 1 runs them in that many Ray tasks sharing the study (:mod:`core.tune.parallel`);
    ``val_seeds`` > 1 scores each trial as the mean over that many validation seeds; ``vprep`` (one view or
    a list, one per seed) skips preparing them."""
    params_cls = METHODS.get(method).Params
    fixed = dict(fixed or {})
    if not search_space(params_cls, fixed):
        raise TuneError(f"tune: method {method!r} declares no search ranges (param(..., search=...)) for "
                        f"parameters you did not fix; pick another method or leave a parameter free")
    if n_trials < 1:
        raise TuneError("--trials: run at least one trial")
    if not budget > 0:
        raise TuneError("--budget: give the time budget as a share of retraining's time above 0, e.g. 0.1")
    if parallel < 1:
        raise TuneError("--parallel: give the number of Ray workers, 1 or more")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    scenario = sc.to_dict()
    seeds = validation_seeds(sc, val_seeds)
    name = study_name(scenario, method, budget, fixed, val_seeds)
    storage = storage or storage_url()
    study = open_study(name, sc.seed, n_trials, storage=storage)
    study.set_user_attr("scenario", scenario)
    study.set_user_attr("method", method)
    vpreps = validation_preps(sc, val_seeds, progress, cache) if vprep is None else \
        list(vprep) if isinstance(vprep, (list, tuple)) else [vprep]
    if len(vpreps) != len(seeds):
        raise TuneError(f"tune: {len(vpreps)} validation views given for {len(seeds)} validation seeds")
    targets = [gold_target(v, budget) for v in vpreps]
    target = mean_target(targets)
    study.set_user_attr("gold", target.final)
    if not study.get_trials(deepcopy=False):
        study.enqueue_trial(defaults_in_space(params_cls, fixed), user_attrs={"defaults": True})
    remaining = n_trials - len(finished_trials(study))
    if remaining > 0 and parallel > 1:
        from core.tune.parallel import run_parallel

        run_parallel(study, scenario, method, remaining, budget, fixed, parallel, address, storage, cache, on_trial,
                     val_seeds=val_seeds)
        remaining = n_trials - len(finished_trials(study))  # a trial the storage lost under load is run here
    if remaining > 0:
        callbacks = [lambda s, t: on_trial(s, t)] if on_trial else []
        study.optimize(TuneObjective(vpreps, method, targets, fixed), n_trials=remaining, callbacks=callbacks,
                       gc_after_trial=True)
    doc = results_doc(study, target, method, scenario, fixed, storage)
    doc["val_seeds"] = seeds
    if len(targets) > 1:
        doc["gold_per_seed"] = [{**t.final, "retrain_seconds": t.retrain_seconds} for t in targets]
    return doc


def _clean(value):
    return None if isinstance(value, float) and math.isnan(value) else value


def results_doc(study: optuna.Study, target: Target, method: str, scenario: dict, fixed: dict,
                storage: str | None = None) -> dict:
    """``{"best": {"params", "metrics", "value"}, "trials": [...], ...}`` plus the scenario to launch with the best."""
    trials = [{"number": t.number, "params": t.user_attrs.get("params", {**t.params, **fixed}),
               "value": _clean(t.value), "state": t.state.name, "metrics": t.user_attrs.get("metrics", {}),
               "defaults": bool(t.user_attrs.get("defaults"))}
              for t in study.get_trials(deepcopy=False)]
    complete = [t for t in trials if t["state"] == "COMPLETE" and t["value"] is not None]
    best = min(complete, key=lambda t: t["value"]) if complete else None
    launch = {**scenario, "method": {"name": method, "params": best["params"] if best else {}},
              "name": f"{method} tuned · {scenario.get('name') or 'scenario'}"}
    return {"study": study.study_name, "storage": storage or storage_url(), "method": method, "budget": target.budget,
            "retrain_seconds": target.retrain_seconds, "gold": target.final,
            "best": {k: best[k] for k in ("params", "metrics", "value")} if best else None,
            "trials": trials, "scenario": launch,
            "note": "every value is read on the validation view (test := half of unseen), never on the test split"}
