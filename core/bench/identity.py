"""The MUFAC/MUCAC paper's Table 1 on our data: forget a few people, compare every method.

``unlearn bench identity --seeds 3 --json out/identity.json`` prepares, per seed, one scenario
(built-in synthetic faces, task ``age_group``, forget ``forget`` identities), trains the original
and the retrained (gold) model once, runs every method on a copy of the same original model, and
reports for Original, Retrained and each method: test accuracy, top-2 accuracy, forgetting score,
NoMUS, gold gap, MIA AUC, seconds and speed-up over retraining, as mean ± std over the seeds.

Advanced NegGrad's and Random Labeling's learning rates are chosen among a few candidates on
validation seeds (1000 + i, ``--validation-seeds``) by NoMUS on half of each validation scenario's
``unseen`` split, then reported on seeds 0 .. n-1 (:mod:`core.bench.validation`). ``--parallel P``
runs the report seeds as Ray tasks (:mod:`core.bench.parallel`), with the same numbers as one by one.

Options (``--option key=value``, see :class:`IdentityOptions`): data and training sizes, which
methods, ``lira=N`` to add the LiRA attack with N shadow models, and ``METHOD.PARAM=value`` to set
a method's hyper-parameter (``--option scrub.epochs=2``) or ``dataset.KEY=value`` for a dataset
option. ``--dataset NAME[:ROOT]`` runs on any registered dataset that has identities, e.g.
``--dataset mufac:/data/mufac --option task=age_class`` or
``--dataset mucac:/data/mucac --option task=Male,Smiling,Young`` (``ROOT`` becomes the reader's
``root`` option; the synthetic-face size options then do not apply).

By default the original and gold models are trained afresh in a temporary cache, so their times
are measured under the same machine load as the methods' (``reuse_cache=true`` uses the shared one).
Besides wall-clock ``seconds``/``speedup`` (the pipeline's), the suite records the process CPU time
of each model (``cpu_seconds``/``cpu_speedup``): on a shared machine other people's jobs stretch
wall time by whatever load they bring, CPU time much less, so the quality check uses CPU time
and the table shows both. Both are unlearning compute only: the live evaluation a method makes each
epoch (and its progress reports) is measured apart, ``audit_seconds``, and left out of both.
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

import numpy as np

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.notes import departures_markdown
from core.bench.parallel import map_seeds, seeds_in_parallel
from core.bench.validation import choose, seed_plan, seeds_doc, seeds_markdown, validation_view, with_chosen
from core.params import build_params, param

PAPER_METHODS = "finetune,cfk,neggrad,unsir,scrub,advanced_neggrad,bad_teacher,random_labels"
TABLE = (("test_acc", "Test acc."), ("top2_acc", "Top-2 test acc."), ("forgetting_score", "Forgetting score ↓"),
         ("nomus", "NoMUS"), ("gold_gap", "Gold gap ↓"), ("mia_auc", "MIA AUC (0.5 best)"),
         ("lira_tpr_at_1fpr", "LiRA TPR@1%FPR ↓"), ("seconds", "Seconds"), ("speedup", "Speed-up"),
         ("audit_seconds", "Audit seconds (not in Seconds)"), ("cpu_seconds", "CPU seconds"),
         ("cpu_speedup", "CPU speed-up"))
NOMUS_TOLERANCE, MAX_TIME_SHARE = 0.02, 0.10


@dataclass
class IdentityOptions:
    n_identities: int = param(100, "synthetic faces: number of people", min=8, max=100000)
    images_per_identity: int = param(30, "synthetic faces: photos per person", min=2, max=1000)
    size: int = param(32, "synthetic faces: image side in pixels", min=16, max=128)
    task: str = param("age_group", "task column; several comma-separated for a multi-label task")
    forget: int = param(10, "how many training identities to forget (10 of the default 70 training people: fewer "
                            "makes the membership attack hinge on a handful of people)", min=1, max=100000)
    model: str = param("smallcnn", "registered model")
    epochs: int = param(30, "epochs of the original and the retrained model (the paper's 30; the product's default "
                            "scenario uses 8, which leaves the original barely memorising the forget set)",
                        min=1, max=1000)
    lr: float = param(0.002, "Adam learning rate of the original and the retrained model", min=1e-6, max=1.0)
    batch_size: int = param(64, "batch size everywhere", min=1, max=4096)
    methods: str = param(PAPER_METHODS, "comma-separated methods to compare (default: the paper's suite plus "
                                        "Bad Teacher and Random Labeling)")
    lira: int = param(0, "shadow models for the LiRA attack (0 = off; it trains this many extra models per seed)",
                      min=0, max=256)
    device: str = param("auto", "auto, cpu, cuda or mps")
    threads: int = param(0, "torch CPU threads (0 = torch's default); 1 gives steadier timings on a busy machine",
                         min=0, max=256)
    reuse_cache: bool = param(False, "load the original/gold models from the shared cache when present")
    quiet: bool = param(False, "no per-method progress lines on stderr")


def split_options(raw: dict) -> tuple[dict, dict[str, dict], dict]:
    """(suite options, per-method params, dataset options) from ``key=value`` pairs."""
    suite, methods, dataset = {}, {}, {}
    for key, value in raw.items():
        head, dot, rest = str(key).partition(".")
        if not dot:
            suite[key] = value
        elif head == "dataset":
            dataset[rest] = value
        else:
            methods.setdefault(head, {})[rest] = value
    return suite, methods, dataset


def parse_dataset(spec: str | None, opts: IdentityOptions, extra: dict) -> dict:
    """``NAME[:ROOT]`` (default: the built-in synthetic faces) as a scenario's dataset section."""
    if not spec or spec == "synthfaces":
        base = {"n_identities": opts.n_identities, "images_per_identity": opts.images_per_identity, "size": opts.size}
        return {"name": "synthfaces", "options": {**base, **extra}}
    name, colon, root = spec.partition(":")
    if not name:
        raise ValueError(f"--dataset {spec!r}: expected NAME or NAME:ROOT, e.g. mufac:/data/mufac")
    return {"name": name, "options": {**({"root": root} if colon else {}), **extra}}


def scenario_for(args: BenchArgs, opts: IdentityOptions, dataset_extra: dict, seed: int):
    from core.config import scenario_from_dict

    task = [t.strip() for t in opts.task.split(",") if t.strip()]
    return scenario_from_dict({
        "name": f"identity bench seed {seed}",
        "dataset": parse_dataset(args.dataset, opts, dataset_extra),
        "task": task[0] if len(task) == 1 else task,
        "model": opts.model,
        "forget": {"kind": "identities", "count": opts.forget},
        "train": {"epochs": opts.epochs, "lr": opts.lr, "batch_size": opts.batch_size},
        "seed": seed,
        "device": opts.device,
    })


def method_list(opts: IdentityOptions, method_params: dict[str, dict]) -> list[str]:
    from core.methods import METHODS

    names = [m.strip() for m in opts.methods.split(",") if m.strip()]
    for name in [*names, *method_params]:
        METHODS.get(name)  # unknown names raise, listing the allowed ones
    stray = sorted(set(method_params) - set(names))
    if stray:
        raise ValueError(f"options: parameters given for {', '.join(stray)}, which is not among methods={opts.methods}")
    return names


class StageClock:
    """A progress callback noting the process CPU time of each stage's last report, so the CPU time
    of the original and gold trainings can be read off ``prepare`` without changing it."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {"start": time.process_time()}

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        self.at[stage] = time.process_time()

    def span(self, stage: str, after: str) -> float:
        return self.at[stage] - self.at[after] if stage in self.at and after in self.at else float("nan")


def run_seed(args: BenchArgs, opts: IdentityOptions, method_params: dict, dataset_extra: dict, seed: int,
             methods: list[str], cache: Path | None, say) -> dict:
    """Original, Retrained and every method on one seed's scenario; the models share one original."""
    from core.metrics.lira import lira_reference
    from core.pipeline.method_run import run_method
    from core.pipeline.prepared import prepare

    clock = StageClock()
    prep = prepare(scenario_for(args, opts, dataset_extra, seed), progress=clock, cache=cache)
    cpu = {"original": clock.span("original", "data"), "retrained": clock.span("gold", "original")}
    if prep.original.cached or prep.gold.cached:
        cpu = {k: float("nan") for k in cpu}  # loaded, not trained: no CPU time to measure
    say(f"seed {seed}: original {prep.original.seconds:.1f}s, retrained {prep.gold.seconds:.1f}s "
        f"(cpu {cpu['retrained']:.1f}s, {'cached' if prep.gold.cached else 'trained'}); sizes {prep.splits.sizes()}")
    ref = None
    if opts.lira:
        ref = lira_reference(prep.splits, opts.model, prep.scenario.train, opts.lira, prep.device, seed=seed)
    results = []
    for name, trained in (("original", prep.original), ("retrained", prep.gold)):
        results.append({"model": name, "metrics": _evaluate(prep, trained.model, trained.seconds, cpu[name],
                                                            cpu["retrained"], ref, trained.audit_seconds)})
    for name in methods:
        start, timing = time.process_time(), {}
        model, seconds, _ = run_method(prep, name, method_params.get(name, {}), timing=timing)
        cpu_seconds = time.process_time() - start - timing["audit_cpu_seconds"]  # unlearning compute only
        metrics = _evaluate(prep, model, seconds, cpu_seconds, cpu["retrained"], ref, timing["audit_seconds"])
        results.append({"model": name, "metrics": metrics})
        say(f"seed {seed}: {name:<17} {seconds:6.2f}s (cpu {metrics['cpu_seconds']:.2f}s, audit "
            f"{metrics['audit_seconds']:.2f}s)  nomus {metrics['nomus']:.3f}  "
            f"test {metrics['test_acc']:.3f}  forgetting {metrics['forgetting_score']:.3f}")
    return {"seed": seed, "sizes": prep.splits.sizes(), "results": results}


def choose_settings(args: BenchArgs, opts: IdentityOptions, method_params: dict, dataset_extra: dict,
                    seeds: list[int], methods: list[str], cache: Path | None, say) -> dict:
    """Each method's candidate settings scored by NoMUS (the bench's goal) on validation scenarios:
    validation seeds, accuracy and attack on halves of their unseen split (never a test split)."""
    from core.pipeline.method_run import run_method
    from core.pipeline.model_scores import evaluate_model
    from core.pipeline.prepared import prepare

    preps: dict[int, object] = {}

    def trial(seed: int, name: str, params: dict) -> dict:
        if seed not in preps:
            preps[seed] = validation_view(prepare(scenario_for(args, opts, dataset_extra, seed), cache=cache), seed)
        model, seconds, _ = run_method(preps[seed], name, params)
        metrics = evaluate_model(preps[seed], model, seconds)
        say(f"validation seed {seed}: {name} {params}  nomus {metrics['nomus']:.3f}")
        return {k: metrics[k] for k in ("nomus", "test_acc", "forgetting_score") if k in metrics}

    return choose("identity", methods, method_params, seeds, trial,
                  lambda name, metrics, _: float(np.mean([m["nomus"] for m in metrics])))


def _evaluate(prep, model, seconds: float, cpu_seconds: float, gold_cpu: float, ref,
              audit_seconds: float = 0.0) -> dict[str, float]:
    """The pipeline's full metric table, CPU time and speed-up (both without the live evaluations, whose
    time is ``audit_seconds``), plus LiRA when shadow models were trained."""
    from core.metrics.lira import lira_attack
    from core.pipeline.model_scores import evaluate_model

    metrics = evaluate_model(prep, model, seconds, audit_seconds=audit_seconds)
    metrics["cpu_seconds"] = cpu_seconds
    metrics["cpu_speedup"] = gold_cpu / cpu_seconds if cpu_seconds > 0 else float("nan")
    if ref is not None:
        metrics.update(lira_attack(model, ref, prep.splits, prep.device))
    return metrics


def summarise(runs: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """``{model: {metric: {mean, std, n}}}`` over the seeds (NaNs left out)."""
    out: dict[str, dict[str, list[float]]] = {}
    for run in runs:
        for row in run["results"]:
            for k, v in row["metrics"].items():
                out.setdefault(row["model"], {}).setdefault(k, []).append(v)
    summary = {}
    for model, metrics in out.items():
        summary[model] = {}
        for k, values in metrics.items():
            vals = np.array([v for v in values if v is not None and not math.isnan(v)], float)
            summary[model][k] = {"mean": float(vals.mean()) if len(vals) else float("nan"),
                                 "std": float(vals.std(ddof=1)) if len(vals) > 1 else 0.0, "n": int(len(vals))}
    return summary


def quality(summary: dict) -> dict:
    """Which non-retraining methods reach NoMUS within 0.02 of Retrained (or better) at <= 10% of its
    time; CPU time decides (wall time is shown beside it), wall time when CPU time is unknown."""
    gold = summary["retrained"]
    clock = "cpu_seconds" if not math.isnan(gold.get("cpu_seconds", {"mean": math.nan})["mean"]) else "seconds"
    target = gold["nomus"]["mean"]
    rows = []
    for model, m in summary.items():
        if model in ("original", "retrained", "retrain"):
            continue
        gap = m["nomus"]["mean"] - target
        share = m[clock]["mean"] / gold[clock]["mean"]
        wall = m["seconds"]["mean"] / gold["seconds"]["mean"]
        rows.append({"model": model, "nomus_minus_retrained": gap, "time_share": share, "wall_time_share": wall,
                     "passes": bool(gap >= -NOMUS_TOLERANCE and share <= MAX_TIME_SHARE)})
    return {"retrained_nomus": target, "clock": clock, "tolerance": NOMUS_TOLERANCE, "max_time_share": MAX_TIME_SHARE,
            "methods": rows, "passed_by": [r["model"] for r in rows if r["passes"]]}


def _cell(stat: dict | None, metric: str) -> str:
    if stat is None or math.isnan(stat["mean"]):
        return "–"
    fmt = "{:.1f}" if metric in ("seconds", "speedup", "audit_seconds", "cpu_seconds", "cpu_speedup") else "{:.3f}"
    return f"{fmt.format(stat['mean'])} ± {fmt.format(stat['std'])}"


def markdown(summary: dict, models: list[str], q: dict, seeds: list[int], title: str) -> str:
    """The paper's layout: metrics as rows, models as columns; then the quality check."""
    metrics = [(k, label) for k, label in TABLE if any(k in summary[m] for m in models)]
    lines = [f"## {title}", "", f"mean ± std over {len(seeds)} seed(s) {seeds}", "",
             "| metric | " + " | ".join(models) + " |", "|---|" + "---|" * len(models)]
    for key, label in metrics:
        lines.append(f"| {label} | " + " | ".join(_cell(summary[m].get(key), key) for m in models) + " |")
    clock = "CPU" if q["clock"] == "cpu_seconds" else "wall-clock"
    lines += ["", f"Quality check: NoMUS at most {q['tolerance']} below Retrained's ({q['retrained_nomus']:.3f}) "
              f"at <= {q['max_time_share']:.0%} of its {clock} time: "
              + (", ".join(q["passed_by"]) if q["passed_by"] else "no method"), ""]
    for r in q["methods"]:
        lines.append(f"- {r['model']}: NoMUS − Retrained = {r['nomus_minus_retrained']:+.3f}, {clock} time share "
                     f"{r['time_share']:.1%} (wall {r['wall_time_share']:.1%}){'  ✔' if r['passes'] else ''}")
    return "\n".join(lines) + "\n"


def figure(summary: dict, models: list[str]):
    """Utility (test accuracy) against forgetting score, one point per model with ± std bars."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for m in models:
        s = summary[m]
        fig.add_trace(go.Scatter(
            x=[s["forgetting_score"]["mean"]], y=[s["test_acc"]["mean"]], mode="markers+text", name=m, text=[m],
            textposition="top center",
            error_x={"type": "data", "array": [s["forgetting_score"]["std"]]},
            error_y={"type": "data", "array": [s["test_acc"]["std"]]},
            hovertemplate=f"{m}<br>forgetting %{{x:.3f}}<br>test acc %{{y:.3f}}<br>NoMUS {s['nomus']['mean']:.3f}"
                          "<extra></extra>"))
    fig.update_layout(title="Identity unlearning: utility vs forgetting (lower-right is worse, upper-left best)",
                      xaxis_title="forgetting score |MIA − 0.5| (lower is better)", yaxis_title="test accuracy",
                      showlegend=False, template="plotly_white")
    return fig


@seeds_in_parallel("identity")
@BENCHES.register("identity", "MUFAC/MUCAC Table 1: forget identities with every method vs Original and Retrained")
def identity_bench(args: BenchArgs) -> BenchResult:
    suite_raw, method_params, dataset_extra = split_options(args.options)
    opts = build_params(IdentityOptions, suite_raw, where="bench identity options")
    methods = method_list(opts, method_params)
    plan = seed_plan(args.seeds, args.validation_seeds)
    say = (lambda msg: None) if opts.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    if opts.threads:
        import torch

        torch.set_num_threads(opts.threads)
    seeds = plan["report"]
    with tempfile.TemporaryDirectory(prefix="identity-bench-") as tmp:
        cache = None if opts.reuse_cache else Path(tmp)
        choice = choose_settings(args, opts, method_params, dataset_extra, plan["validation"], methods, cache, say)
        params = with_chosen(method_params, choice["chosen"])
        per_seed = partial(run_seed, args, opts, params, dataset_extra, methods=methods, cache=cache, say=say)
        runs = map_seeds(per_seed, seeds, args.parallel, args.address, threads=opts.threads or 1)
    summary = summarise(runs)
    models = ["original", "retrained", *methods]
    q = quality(summary)
    dataset = args.dataset or "synthfaces"
    title = f"Identity unlearning ({dataset}, task {opts.task}, forget {opts.forget} identities, {opts.model})"
    doc = {"suite": "identity", "dataset": dataset, "options": asdict(opts), "method_params": method_params,
           "dataset_options": dataset_extra, "seeds": seeds_doc(plan, [choice]), "chosen": choice["chosen"],
           "validation": choice["trials"], "models": models, "runs": runs, "summary": summary, "quality": q}
    md = (markdown(summary, models, q, seeds, title) + "\n" + seeds_markdown(plan, choice, "by mean NoMUS")
          + departures_markdown(methods))
    return BenchResult(doc, md, {"utility_vs_forgetting": figure(summary, models)})
