"""The model sets the ε-score compares: ``n`` unlearned and ``n`` retrained models per scenario and seed.

Unlearned model ``k`` is the scenario's method run from the same original model with seed
``seed · 7919 + 2500 + k``; retrained model ``k`` is the pipeline's gold recipe on retain with seed
``seed · 7919 + 5000 + k``
(:func:`core.pipeline.reference_models.train_reference`, cached as ``models/retrain-<key>.pt``). An unlearned model's outputs
(forget-set confidences, retain and test accuracy) are cached as ``epsilon/unlearned-<key>.json``, keyed by
the original model's key, the method, its settings and the seed, so a second run of the same scenario
trains nothing. ``runner="ray"`` runs the 2n models as Ray tasks on a local Ray instance (core/sweep's
cluster: this machine's cores, one CPU each); ``"serial"`` runs them in this process, one after another.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from core.config import EPSILON_RUNNERS, scenario_from_dict
from core.progress import Progress, silent
from core.pipeline.references import SEED_STRIDE

SEED_OFFSET = {"unlearned": 2500, "retrained": 5000}  # apart from each other and from the references' (+1..256)


def member_seed(seed: int, k: int, kind: str) -> int:
    """The k-th model's seed on each side: different on the two sides, so a method that retrains from scratch
    is compared with independent retrainings, not with copies of its own models."""
    return seed * SEED_STRIDE + SEED_OFFSET[kind] + k


def _outputs(prep, model) -> dict:
    """Forget-set logit-scaled confidences and retain/test accuracy of one model."""
    from core.metrics.lira import logit_confidence
    from core.training import predict_logits

    splits, out = prep.splits, {}
    for split in ("forget", "retain", "test"):
        x, y = splits.tensors(split)
        logits = predict_logits(model, x, prep.device).float()
        if split == "forget":
            out["confs"] = [float(v) for v in logit_confidence(splits.task, logits, y)]
        else:
            out[f"{split}_acc"] = float(splits.task.correct(logits, y).float().mean()) if len(y) else float("nan")
    return out


def _unlearned_path(prep, k: int, cache: Path) -> Path:
    from core.pipeline.model_cache import cache_key, reference_key

    sc = prep.scenario
    key = cache_key(reference_key(sc, prep.splits, prep.splits.index("train")), sc.method.name, sc.method.params,
               member_seed(sc.seed, k, "unlearned"), sc.forget)
    return cache / "epsilon" / f"unlearned-{key}.json"


def member_outputs(prep, kind: str, k: int, cache: Path | None) -> dict:
    """Outputs of the k-th unlearned or retrained model (trained now, or read from the cache)."""
    from core.paths import atomic_write
    from core.pipeline.method_run import run_method
    from core.pipeline.reference_models import train_reference

    start = time.perf_counter()
    sc = dataclasses.replace(prep.scenario, seed=member_seed(prep.scenario.seed, k, kind))
    if kind == "retrained":
        trained = train_reference(sc, prep.splits, "retain", prep.device, silent, "retrain", cache)
        return {**_outputs(prep, trained.model), "cached": trained.cached, "seconds": time.perf_counter() - start}
    path = _unlearned_path(prep, k, cache) if cache is not None else None
    if path is not None and path.exists():
        return {**json.loads(path.read_text()), "cached": True, "seconds": 0.0}
    model, _, _ = run_method(dataclasses.replace(prep, scenario=sc), sc.method.name, sc.method.params)
    out = _outputs(prep, model)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: tmp.write_text(json.dumps(out)))
    return {**out, "cached": False, "seconds": time.perf_counter() - start}


def ray_member(scenario: dict, cache: str, kind: str, k: int, run_folder: Callable[[str], Path] | None = None) -> dict:
    """What a Ray worker runs: rebuild the scenario's data and original (from the shared cache), one member
    (``run_folder``: the driver's lookup of stored runs, for a method that reuses one's files)."""
    from core.pipeline.prepared import prepare

    torch.set_num_threads(1)
    prep = prepare(scenario_from_dict(scenario), cache=Path(cache), run_folder=run_folder)
    return member_outputs(prep, kind, k, Path(cache))


def model_set(prep, n: int, cache: Path | None, runner: str = "ray", progress: Progress = silent) -> dict:
    """``{"unlearned": [outputs...], "retrained": [...]}`` for ``n`` models per side."""
    if runner not in EPSILON_RUNNERS:
        raise ValueError(f"evaluation.epsilon_runner: {runner!r} is not allowed; allowed: {', '.join(EPSILON_RUNNERS)}")
    jobs = [(kind, k) for kind in ("unlearned", "retrained") for k in range(n)]
    if runner == "serial" or cache is None:
        results = []
        for i, (kind, k) in enumerate(jobs):
            results.append(member_outputs(prep, kind, k, cache))
            progress(i + 1, len(jobs), stage="audit")
    else:
        from core.cluster import ray_session

        with ray_session() as ray:
            task = ray.remote(ray_member).options(num_cpus=1, max_retries=0)
            refs = [task.remote(prep.scenario.to_dict(), str(cache), kind, k, prep.run_folder) for kind, k in jobs]
            results = []
            for i, ref in enumerate(refs):
                results.append(ray.get(ref))
                progress(i + 1, len(jobs), stage="audit")
    return {"unlearned": results[:n], "retrained": results[n:]}


def epsilon_report(prep, n: int, cache: Path | None, runner: str = "ray", progress: Progress = silent,
                   resamples: int = 20) -> dict:
    """The challenge's numbers for ``prep``'s method with ``n`` models per side, and what ``n`` can resolve."""
    from core.metrics.epsilon_score import (DELTA, EPSILON_CAP, bootstrap_f, final_score, forget_quality,
                                            max_epsilon)

    if n < 2:
        raise ValueError(f"evaluation.epsilon_models: {n}; the ε-score needs at least 2 models per side")
    start = time.perf_counter()
    models = model_set(prep, n, cache, runner, progress)
    train_seconds = time.perf_counter() - start
    u = np.array([m["confs"] for m in models["unlearned"]])
    r = np.array([m["confs"] for m in models["retrained"]])
    f, eps = forget_quality(u, r)
    acc = {f"{side}_{split}": [m[f"{split}_acc"] for m in models[side]]
           for side in ("unlearned", "retrained") for split in ("retain", "test")}
    score = final_score(f, acc["unlearned_retain"], acc["retrained_retain"], acc["unlearned_test"],
                        acc["retrained_test"])
    ceiling = max_epsilon(n)
    note = (f"with {n} models per side the largest estimable ε is about log(n − 1) ≈ {ceiling:g}; larger ε scores 0 "
            "points and cannot be told apart (the challenge used 512 models per side). The ε of each example is a "
            "maximum over thousands of thresholds on n samples a side, so it is biased upward: even retraining "
            "against independent retrainings scores well below F = 1; compare a method's F with the retrain "
            "method's, not with 1")
    if ceiling < 0.5:
        note = (f"with {n} models per side no ε is estimable (ceil(log(n − 1)) = {ceiling:g} < 0.5): F is 0 by the "
                "reference's definition; use epsilon_models ≥ 3 (8 or more to read it)")
    return {"n_models": n, "runner": runner, "delta": DELTA, "epsilon_cap": EPSILON_CAP, "max_epsilon": ceiling,
            "forget_quality": f, "forget_quality_ci": bootstrap_f(u, r, resamples, prep.scenario.seed),
            "score": score, "epsilons": [None if np.isnan(e) else round(float(e), 4) for e in eps],
            "accuracy": {k: float(np.mean(v)) for k, v in acc.items()}, "note": note,
            "seconds": train_seconds, "cached": sum(int(m["cached"]) for side in models.values() for m in side),
            "forget_rows": [int(i) for i in prep.splits.forget]}
