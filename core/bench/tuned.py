"""``unlearn bench tuned``: each method tuned toward the gold model on validation seeds, reported on others.

Per dataset (synthetic faces; Fashion-MNIST's ≥3,000 photos with pseudo-identity groups of 10; digits
on request), the suite tunes every listed method with ``unlearn tune``'s study (:mod:`core.tune`) on
the validation seeds 1000 .. 1000+K−1 (``--validation-seeds K``; each trial's value is the mean over
them, every seed with its own original and gold model, so the setting cannot fit one seed's split) —
its objective read on the validation view, half of each scenario's ``unseen`` split, never a test split — then prepares each held-out report seed 0 .. n-1
with fresh reference models and runs the method twice on the same original: with its built-in
defaults (the *untuned* row) and with the tuned setting. The table shows the gold, original, untuned
and tuned rows on the report seeds' real test split, and the goal of the issue per tuned row: NoMUS
within 0.02 of the gold model's, forget accuracy within 0.03 of gold's, at most 10% of retraining's
time. Times are each model's ``seconds`` as the pipeline measures them: unlearning or training compute,
the live evaluation each epoch measured apart (``audit_seconds``) and left out.

Everything runs in a temporary ``UNLEARN_HOME`` (studies and model cache; ``--option home=PATH`` keeps
them, so an interrupted bench resumes its studies), so the reference models' times are measured under
the same load as the methods'.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable

import numpy as np

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.demo import fresh_home
from core.paths import home_at
from core.bench.validation import seed_plan, seeds_doc
from core.params import build_params, param

NOMUS_TOL, FORGET_TOL, TIME_SHARE = 0.02, 0.03, 0.10
COLUMNS = (("forget_acc", "Forget acc."), ("test_acc", "Test acc."), ("mia_acc", "MIA acc."), ("nomus", "NoMUS"),
           ("seconds", "Seconds"), ("time_share", "Share of retraining time"))


@dataclass
class TunedOptions:
    datasets: str = param("synthfaces,fashion_mnist", "comma-separated: synthfaces, fashion_mnist, digits")
    methods: str = param("advanced_neggrad,scrub", "comma-separated methods to tune")
    trials: int = param(12, "Optuna trials per method and dataset", min=1, max=10000)
    budget: float = param(TIME_SHARE, "time budget of a trial as a share of retraining's time", min=0.001, max=100.0)
    epochs: int = param(8, "epochs of the original and gold models", min=1, max=1000)
    synth_identities: int = param(60, "synthetic faces: people", min=8, max=100000)
    synth_forget: int = param(8, "synthetic faces: people to forget", min=1, max=100000)
    fashion_root: str = param("/usr/share/datasets/fashion-mnist", "Fashion-MNIST idx folder")
    fashion_images: int = param(3000, "Fashion-MNIST images loaded (train and test shares in file order)",
                                min=100, max=70000)
    fashion_forget: int = param(20, "Fashion-MNIST pseudo-identity groups (10 images each) to forget", min=1)
    fix: str = param("", "parameters held fixed while tuning, METHOD.PARAM=VALUE comma-separated (e.g. "
                         "advanced_neggrad.epochs=1: the search then spends its trials on the rest)")
    threads: int = param(1, "torch CPU threads (1: steadier timings on a shared machine)", min=0, max=256)
    home: str = param("", "UNLEARN_HOME for the studies and model cache (empty: a temporary one); an earlier "
                          "bench's home resumes its studies and reuses its models")
    device: str = param("cpu", "auto, cpu, cuda or mps")


def _synthfaces(o: TunedOptions) -> dict:
    return {"dataset": {"name": "synthfaces", "options": {"n_identities": o.synth_identities,
                                                          "images_per_identity": 30, "size": 32}},
            "task": "age_group", "forget": {"kind": "identities", "count": o.synth_forget}}


def _fashion(o: TunedOptions) -> dict:
    return {"dataset": {"name": "fashion_mnist", "options": {"root": o.fashion_root, "max_images": o.fashion_images,
                                                             "group_size": 10}},
            "task": "label", "forget": {"kind": "identities", "count": o.fashion_forget}}


def _digits(o: TunedOptions) -> dict:
    return {"dataset": {"name": "digits", "options": {"size": 32}}, "task": "digit",
            "forget": {"kind": "class_subset", "column": "digit", "value": 3, "fraction": 0.5}}


DATASET_SCENARIOS: dict[str, Callable[[TunedOptions], dict]] = {
    "synthfaces": _synthfaces, "fashion_mnist": _fashion, "digits": _digits}
"""The bench's scenario per data kind (dataset, task, forget request); training and seed are shared."""


def scenario(o: TunedOptions, kind: str, seed: int):
    from core.config import scenario_from_dict

    if kind not in DATASET_SCENARIOS:
        raise ValueError(f"bench tuned: dataset {kind!r} is not one of {', '.join(DATASET_SCENARIOS)}")
    return scenario_from_dict({"name": f"tuned bench {kind} seed {seed}", **DATASET_SCENARIOS[kind](o),
                               "model": "smallcnn", "train": {"epochs": o.epochs, "lr": 0.002, "batch_size": 64},
                               "evaluation": {"attacker": "linear"}, "seed": seed, "device": o.device})


def fixed_params(o: TunedOptions, method: str) -> dict:
    """``--option fix=...``'s values for ``method``, typed as the tune CLI's ``--param`` (a bad key is named)."""
    from core.tune.typed import typed_params

    given = {}
    for item in (i.strip() for i in o.fix.split(",") if i.strip()):
        key, sep, value = item.partition("=")
        name, dot, field = key.partition(".")
        if not (sep and dot):
            raise ValueError(f"bench tuned fix: {item!r}; give METHOD.PARAM=VALUE")
        if name == method:
            given[field] = value
    return typed_params(method, given) if given else {}


def _row(model: str, metrics: dict, gold_seconds: float, params: dict | None = None) -> dict:
    keep = {k: float(metrics[k]) for k, _ in COLUMNS if k in metrics}
    keep["time_share"] = float(metrics["seconds"]) / gold_seconds if gold_seconds else math.nan
    return {"model": model, "metrics": keep, **({"params": params} if params is not None else {})}


def report_seed(o: TunedOptions, kind: str, seed: int, tuned: dict[str, dict], say) -> list[dict]:
    """Original, gold, and each method untuned and tuned on one held-out seed (the real test split)."""
    from core.pipeline.method_run import run_method
    from core.pipeline.model_scores import evaluate_model
    from core.pipeline.prepared import prepare

    prep = prepare(scenario(o, kind, seed))
    gold_s = prep.gold.seconds
    rows = [_row("original", evaluate_model(prep, prep.original.model, prep.original.seconds), gold_s),
            _row("gold", evaluate_model(prep, prep.gold.model, gold_s), gold_s)]
    for method, params in tuned.items():
        for label, p in (("untuned", {}), ("tuned", params)):
            model, seconds, _ = run_method(prep, method, p)
            rows.append(_row(f"{method} ({label})", evaluate_model(prep, model, seconds), gold_s, p))
            m = rows[-1]["metrics"]
            say(f"{kind} seed {seed}: {method} {label} forget {m['forget_acc']:.3f} nomus {m['nomus']:.3f} "
                f"{m['seconds']:.1f}s ({m['time_share']:.0%})")
    return rows


def _checks(m: dict, gold: dict) -> dict[str, bool]:
    """The issue's goal on one row against gold: NoMUS and forget accuracy near gold's, ≤10% of its time."""
    return {"nomus": abs(m["nomus"] - gold["nomus"]) <= NOMUS_TOL,
            "forget_acc": abs(m["forget_acc"] - gold["forget_acc"]) <= FORGET_TOL,
            "time": m["time_share"] <= TIME_SHARE}


def _gold(rows: list[dict]) -> dict:
    return next(r["metrics"] for r in rows if r["model"] == "gold")


def goal(rows: list[dict], per_seed: list[list[dict]] | None = None) -> dict[str, dict]:
    """Per tuned row, the goal on the seed means (``met``); with ``per_seed``, also on how many single held-out
    seeds it holds against that seed's gold (``seeds_met`` of ``seeds``): a miss on the means that one seed
    meets is a method near its goal with noisy references, one no seed meets is not."""
    out = {}
    for i, r in enumerate(rows):
        if not r["model"].endswith("(tuned)"):
            continue
        checks = _checks(r["metrics"], _gold(rows))
        out[r["model"]] = {**checks, "met": all(checks.values())}
        if per_seed:
            out[r["model"]].update(seeds=len(per_seed), seeds_met=sum(
                all(_checks(seed[i]["metrics"], _gold(seed)).values()) for seed in per_seed))
    return out


def mean_rows(per_seed: list[list[dict]]) -> list[dict]:
    """Rows averaged over the report seeds (std beside each mean)."""
    out = []
    for i, first in enumerate(per_seed[0]):
        vals = {k: [s[i]["metrics"].get(k, math.nan) for s in per_seed] for k in first["metrics"]}
        out.append({"model": first["model"], "metrics": {k: float(np.mean(v)) for k, v in vals.items()},
                    "std": {k: float(np.std(v)) for k, v in vals.items()}, "params": first.get("params")})
    return out


def markdown(kind: str, rows: list[dict], goals: dict, tuning: dict, plan: dict) -> str:
    head = "| model | " + " | ".join(t for _, t in COLUMNS) + " | setting |"
    lines = [f"### {kind}", "", head, "|" + " --- |" * (len(COLUMNS) + 2)]
    for r in rows:
        cells = []
        for k, _ in COLUMNS:
            v, s = r["metrics"].get(k, math.nan), r["std"].get(k, 0.0)
            cells.append(f"{v:.0%}" if k == "time_share" else f"{v:.2f} ± {s:.2f}" if k == "seconds"
                         else f"{v:.3f} ± {s:.3f}")
        setting = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in (r.get("params") or {}).items())
        lines.append(f"| {r['model']} | " + " | ".join(cells) + f" | {setting or ('defaults' if r.get('params') == {} else '')} |")
    lines.append("")
    for model, g in goals.items():
        verdict = "meets" if g["met"] else "misses"
        parts = ", ".join(f"{k} {'ok' if g[k] else 'no'}" for k in ("nomus", "forget_acc", "time"))
        seeds = f"; met on {g['seeds_met']} of {g['seeds']} held-out seeds alone" if "seeds" in g else ""
        lines.append(f"- {model} {verdict} the goal on the seed means (NoMUS ±{NOMUS_TOL}, forget ±{FORGET_TOL} of "
                     f"gold, ≤{TIME_SHARE:.0%} time): {parts}{seeds}.")
    for method, t in tuning.items():
        seeds = plan["validation"]
        lines.append(f"- {method}: tuned with {t['trials']} trials on validation seed{'s' if len(seeds) > 1 else ''} "
                     f"{seeds[0] if len(seeds) == 1 else seeds} (value: the mean over them; validation view: half of "
                     f"unseen, never test); best validation value {t['value']:.3f}; "
                     f"{t['seconds']:.0f}s of tuning.")
    return "\n".join(lines) + "\n"


@BENCHES.register("tuned", "each method tuned toward gold on validation seeds vs its defaults, on held-out seeds")
def tuned_bench(args: BenchArgs) -> BenchResult:
    import torch

    from core.tune.study import tune
    from core.tune.validation import validation_preps

    o = build_params(TunedOptions, args.options, where="bench tuned options")
    if args.validation_seeds < 1:
        raise ValueError("bench tuned: tunes on validation seeds; use --validation-seeds 1 or more")
    if o.threads:
        torch.set_num_threads(o.threads)
    plan = seed_plan(args.seeds, args.validation_seeds)
    methods = [m.strip() for m in o.methods.split(",") if m.strip()]
    kinds = [k.strip() for k in o.datasets.split(",") if k.strip()]
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    doc: dict = {"options": asdict(o), "seeds": seeds_doc(plan, [{"trials": [1]}]), "datasets": {}}
    md = [f"## Tuned vs untuned (seeds: tuned on validation seed {plan['validation']}, reported on held-out "
          f"seeds {plan['report']}; threads {o.threads or 'default'})\n"]
    with fresh_home() if not o.home else home_at(o.home):
        for kind in kinds:
            vsc = scenario(o, kind, plan["validation"][0])
            vpreps = validation_preps(vsc, len(plan["validation"]))
            tuning, tuned = {}, {}
            for method in methods:
                start = time.perf_counter()
                study = tune(vsc, method, o.trials, o.budget, fixed=fixed_params(o, method), vprep=vpreps,
                             val_seeds=len(vpreps))
                best = study["best"] or {"params": {}, "value": math.nan}
                tuned[method] = best["params"]
                tuning[method] = {"trials": len(study["trials"]), "value": best["value"], "params": best["params"],
                                  "seconds": time.perf_counter() - start, "study": study["trials"]}
                say(f"{kind}: {method} tuned to {best['params']} (validation value {best['value']:.3f})")
            per_seed = [report_seed(o, kind, s, tuned, say) for s in plan["report"]]
            rows = mean_rows(per_seed)
            goals = goal(rows, per_seed)
            doc["datasets"][kind] = {"rows": rows, "per_seed": per_seed, "goal": goals, "tuning": tuning}
            md.append(markdown(kind, rows, goals, tuning, plan))
            say(md[-1])  # each dataset's table as soon as it is done
    md.append("Times: the pipeline's `seconds` (compute only; live evaluation is measured apart); share = method "
              "seconds / retraining seconds on the same seed and machine load. Tuning seconds count only the trials "
              "this invocation ran (a resumed study's earlier trials are not counted).\n")
    return BenchResult(doc, "\n".join(md))
