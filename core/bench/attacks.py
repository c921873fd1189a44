"""Every method under every attack: where the ranking changes with the attack (``unlearn bench attacks``).

On the identity bench's scenario (synthetic faces, task ``age_group``, forget a few people), scaled to run
on a 2-core CPU in about ten minutes (fewer people, images and epochs than ``bench identity``; see
:class:`AttackOptions`), each report seed trains the original and retrained model, the attacks' reference
models (``reference_models`` without the targets for RMIA, as many with half the targets for online LiRA)
and, for the ε-score, ``epsilon_models`` retrained models plus ``epsilon_models`` runs of every method
(as Ray tasks by default). It reports for Original, Retrained and each method: test accuracy, the loss
attack's, RMIA's and online LiRA's AUC and TPR at 1% FPR (lower: better forgotten; gold's value is the
target), the ε-score's forgetting quality F and final score — and each attack's compute cost in seconds on
this machine (reference or model-set training, plus scoring all models), with the machine's load average.

Nothing is tuned here: every method runs its defaults (or ``--option METHOD.PARAM=value``); the report
seeds are 0 .. n-1, never a validation seed (:mod:`core.bench.validation`).
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.identity import split_options, summarise
from core.bench.validation import seed_plan
from core.params import build_params, param

ATTACKS = ("loss", "rmia", "lira_online")
COLUMNS = (("test_acc", "Test acc."), ("loss_auc", "Loss AUC"), ("loss_tpr_at_1fpr", "Loss TPR@1%"),
           ("rmia_auc", "RMIA AUC"), ("rmia_tpr_at_1fpr", "RMIA TPR@1%"), ("lira_online_auc", "LiRA AUC"),
           ("lira_online_tpr_at_1fpr", "LiRA TPR@1%"), ("eps_forget_quality", "ε-score F ↑"),
           ("eps_score", "ε final score ↑"), ("seconds", "Method s"))


@dataclass
class AttackOptions:
    n_identities: int = param(40, "synthetic faces: number of people", min=8, max=100000)
    images_per_identity: int = param(10, "synthetic faces: photos per person", min=2, max=1000)
    size: int = param(32, "synthetic faces: image side in pixels", min=16, max=128)
    forget: int = param(4, "training identities to forget", min=1, max=100000)
    unseen_fraction: float = param(0.3, "share of people held out as unseen: the attacks' non-members (0.3 of 40 "
                                        "people × 10 photos gives the ≥100 a TPR at 1% FPR needs)", min=0.01, max=0.5)
    epochs: int = param(10, "epochs of the original, retrained and reference models", min=1, max=1000)
    lr: float = param(0.002, "Adam learning rate of the original and retrained models", min=1e-6, max=1.0)
    batch_size: int = param(64, "batch size everywhere", min=1, max=4096)
    methods: str = param("finetune,neggrad,scrub,retrain", "comma-separated methods to compare")
    reference_models: int = param(4, "reference models per reference attack (RMIA, online LiRA)", min=2, max=256)
    epsilon_models: int = param(8, "models per side of the ε-score (0 = no ε-score)", min=0, max=1024)
    runner: str = param("ray", "the ε-score's models as Ray tasks ('ray') or in this process ('serial')",
                        choices=["ray", "serial"])
    threads: int = param(1, "torch CPU threads in this process (1: steadier timings on a shared machine)", min=0,
                         max=256)
    quiet: bool = param(False, "no progress lines on stderr")


def scenario_for(opts: AttackOptions, seed: int, method: str = "finetune", params: dict | None = None):
    from core.config import scenario_from_dict

    return scenario_from_dict({
        "name": f"attacks bench seed {seed}",
        "dataset": {"name": "synthfaces", "options": {"n_identities": opts.n_identities,
                                                     "images_per_identity": opts.images_per_identity,
                                                     "size": opts.size}},
        "task": "age_group", "model": "smallcnn", "forget": {"kind": "identities", "count": opts.forget},
        "method": {"name": method, "params": params or {}},
        "train": {"epochs": opts.epochs, "lr": opts.lr, "batch_size": opts.batch_size},
        "split": {"test_fraction": 0.15, "unseen_fraction": opts.unseen_fraction},
        "evaluation": {"attacker": "linear", "attacks": [*ATTACKS, "epsilon"], "reference_models": opts.reference_models,
                       "epsilon_models": max(opts.epsilon_models, 2), "epsilon_runner": opts.runner},
        "seed": seed, "device": "cpu"})


def _scored(prep, model, seconds: float, costs: dict) -> dict:
    """The pipeline's metric table with every attack; each attack's scoring time added to ``costs``."""
    from core.metrics import Evaluation
    from core.metrics.attack_suite import run_attacks
    from core.pipeline.model_scores import evaluate_model, metric_settings

    metrics = evaluate_model(prep, model, seconds)
    ev = Evaluation(model, prep.splits, prep.device, gold=prep.gold.model, settings=metric_settings(prep.scenario),
                    extras={"references": prep.extras["references"]})
    for name in ATTACKS:  # timed one by one: the table's numbers are the pipeline's, these are their costs
        start = time.perf_counter()
        run_attacks(ev, [name])
        costs.setdefault(name, {}).setdefault("scoring_seconds", 0.0)
        costs[name]["scoring_seconds"] += time.perf_counter() - start
    return metrics


def run_seed(opts: AttackOptions, method_params: dict, methods: list[str], seed: int, cache: Path, say) -> dict:
    """Original, Retrained and every method on one seed, under every attack."""
    import dataclasses

    from core.pipeline.epsilon_models import epsilon_report
    from core.pipeline.method_run import run_method
    from core.pipeline import _attack_references
    from core.pipeline.prepared import prepare

    prep = prepare(scenario_for(opts, seed), cache=cache)
    costs = _attack_references(prep, cache, lambda *a, **k: None)
    spent = ", ".join(f"{k} {v['reference_seconds']:.1f}s" for k, v in costs.items())
    say(f"seed {seed}: references {spent}")
    rows = [{"model": "original", "metrics": _scored(prep, prep.original.model, prep.original.seconds, costs)},
            {"model": "retrained", "metrics": _scored(prep, prep.gold.model, prep.gold.seconds, costs)}]
    eps_cost = {"seconds": 0.0, "models": 0, "scoring_seconds": 0.0}
    for name in methods:
        sc = scenario_for(opts, seed, name, method_params.get(name, {}))
        mprep = dataclasses.replace(prep, scenario=sc)
        model, seconds, _ = run_method(mprep, name, sc.method.params)
        metrics = _scored(mprep, model, seconds, costs)
        if opts.epsilon_models:
            start = time.perf_counter()
            eps = epsilon_report(mprep, opts.epsilon_models, cache, opts.runner)
            total = time.perf_counter() - start
            metrics.update(eps_forget_quality=eps["forget_quality"], eps_score=eps["score"])
            eps_cost["seconds"] += eps["seconds"]
            eps_cost["scoring_seconds"] += total - eps["seconds"]
            eps_cost["models"] += 2 * opts.epsilon_models - eps["cached"]
            metrics["eps_max_epsilon"] = eps["max_epsilon"]
        rows.append({"model": name, "metrics": metrics})
        say(f"seed {seed}: {name:<10} " + "  ".join(f"{k} {metrics.get(k, math.nan):.3f}" for k, _ in COLUMNS[1:9]))
    if opts.epsilon_models:
        costs["epsilon"] = eps_cost
    return {"seed": seed, "sizes": prep.splits.sizes(), "results": rows, "costs": costs,
            "nonmembers": int(len(prep.extras["references"]["rmia"].targets) - prep.extras["references"]["rmia"].n_forget)}


def _cell(stat: dict | None) -> str:
    if stat is None or math.isnan(stat["mean"]):
        return "–"
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}" if stat["n"] > 1 else f"{stat['mean']:.3f}"


def markdown(summary: dict, models: list[str], runs: list[dict], opts: AttackOptions, load: tuple) -> str:
    seeds = [r["seed"] for r in runs]
    lines = [f"## Every method under every attack (synthfaces {opts.n_identities}×{opts.images_per_identity}, forget "
             f"{opts.forget} people, {opts.epochs} epochs)", "",
             f"report seeds {seeds} (held out; nothing tuned: defaults), mean ± std; lower attack numbers = better "
             "forgotten (Retrained's is the target); ε-score F and final score: higher = closer to retraining", "",
             "| model | " + " | ".join(label for _, label in COLUMNS) + " |", "|---|" + "---|" * len(COLUMNS)]
    for m in models:
        lines.append(f"| {m} | " + " | ".join(_cell(summary[m].get(k)) for k, _ in COLUMNS) + " |")
    lines += ["", "Ranking of the methods (best first) by each attack's AUC distance to Retrained's, and by ε-score F:", ""]
    methods = [m for m in models if m not in ("original", "retrained")]
    for key in ("loss_auc", "rmia_auc", "lira_online_auc"):
        gold = summary["retrained"][key]["mean"]
        order = sorted(methods, key=lambda m: abs(summary[m][key]["mean"] - gold))
        lines.append(f"- {key}: {' > '.join(order)}")
    if "eps_forget_quality" in summary[methods[0]]:
        lines.append(f"- ε-score F: {' > '.join(sorted(methods, key=lambda m: -summary[m]['eps_forget_quality']['mean']))}")
    n_non = runs[0]["nonmembers"]
    lines += ["", f"TPR at 0.1% and 0.01% FPR: not reported ({n_non} matched non-members per seed; they need ≥1,000 "
              "and ≥10,000).", "", "### Compute cost per attack (seconds on this CPU, summed over seeds)", "",
              "| attack | models trained | training s | scoring s (all models) |", "|---|---|---|---|"]
    total: dict[str, dict[str, float]] = {}
    for run in runs:
        for name, c in run["costs"].items():
            t = total.setdefault(name, {"models": 0, "train": 0.0, "score": 0.0})
            t["models"] += c.get("models", 0) - c.get("cached", 0) if name != "epsilon" else c.get("models", 0)
            t["train"] += c.get("reference_seconds", c.get("seconds", 0.0))
            t["score"] += c.get("scoring_seconds", 0.0)
    for name, t in total.items():
        lines.append(f"| {name} | {t['models']} | {t['train']:.1f} | {t['score']:.2f} |")
    lines += ["", f"Machine load average (1, 5, 15 min) at the end: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f} on "
              f"{os.cpu_count()} cores; the ε-score ran its models with runner={opts.runner}, {opts.epsilon_models} per "
              f"side (largest resolvable ε ≈ {runs[0]['results'][-1]['metrics'].get('eps_max_epsilon', float('nan')):g})."]
    return "\n".join(lines) + "\n"


def _session(runner: str):
    """One local Ray for the whole bench (each ε-score reuses it) when the ε-score runs on Ray."""
    from contextlib import nullcontext

    if runner != "ray":
        return nullcontext()
    from core.cluster import ray_session

    return ray_session()


@BENCHES.register("attacks", "every method under every attack (loss, RMIA, online LiRA, ε-score) with each attack's cost")
def attacks_bench(args: BenchArgs) -> BenchResult:
    suite_raw, method_params, _ = split_options(args.options)
    opts = build_params(AttackOptions, suite_raw, where="bench attacks options")
    methods = [m.strip() for m in opts.methods.split(",") if m.strip()]
    from core.methods import METHODS

    for name in [*methods, *method_params]:
        METHODS.get(name)
    plan = seed_plan(args.seeds, args.validation_seeds)
    say = (lambda msg: None) if opts.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    if opts.threads:
        import torch

        torch.set_num_threads(opts.threads)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="attacks-bench-") as tmp, _session(opts.runner):
        runs = [run_seed(opts, method_params, methods, s, Path(tmp), say) for s in plan["report"]]
    load = os.getloadavg()
    summary = summarise(runs)
    models = ["original", "retrained", *methods]
    doc = {"suite": "attacks", "options": asdict(opts), "method_params": method_params,
           "seeds": {"validation": [], "report": plan["report"]}, "chosen": {}, "models": models, "runs": runs,
           "summary": summary, "load_average": list(load), "cpu_count": os.cpu_count(),
           "wall_seconds": time.perf_counter() - start}
    md = markdown(summary, models, runs, opts, load) + f"\nWall time of the whole bench: {doc['wall_seconds']:.0f} s.\n"
    return BenchResult(doc, md)
