"""The resumable Optuna search behind ``unlearn tune``: TPE sampling, median pruning, the results document.

The study is stored and named by :mod:`core.tune.storage`, so running the same tune again continues it:
finished trials (complete or pruned) count toward ``--trials``. The first trial of a new study is the
method's defaults, so the best setting is never one the defaults beat on the validation part. The
validation views come from :mod:`core.tune.validation` (reference models from the model cache,
:func:`core.pipeline.prepared.prepare`), prepared once per tune; with K validation seeds every trial's value is
the mean over them, and K is part of the study's name.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Callable

import optuna

from core.methods import METHODS
from core.progress import Progress, silent
from core.tune.errors import TuneError
from core.tune.objective import Target, TuneObjective, gold_target, mean_target
from core.tune.space import defaults_in_space, search_space
from core.tune.storage import finished_trials, open_study, storage_url, study_name
from core.tune.validation import validation_preps, validation_seeds



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
