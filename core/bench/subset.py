"""``unlearn bench subset``: forgetting part of one class (the Twin Machine Unlearning paper's
Tables 1, 3 and 4, scaled to sklearn digits and the synthetic faces).

For each dataset, seed and chosen class, one scenario is prepared (data, original and gold models)
and every method runs on it: Gold, Fine-tuning, NegGrad, Random Labeling, Bad Teacher, TMU (a
baseline not registered yet is skipped with a note). Rows report test accuracy, forget accuracy,
gold_gap and activation distance; TMU also reports how often its predicted easy/hard labels agree
with the gold model's (read from its artifacts, never used by it), and the feature ablation.

TMU's push-down learning rate is chosen among a few candidates on validation seeds (1000 + i) by
the goal (smallest gold_gap at test accuracy within a point of Fine-tuning's, measured on half of
each validation scenario's ``unseen`` split), then reported on seeds 0 .. n-1.

Options (``--option key=value``): see ``SubsetOptions``; ``<method>.<param>=value`` sets a method's
hyper-parameter (e.g. ``tmu.twins=2``).
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.notes import departures_markdown
from core.bench.subset_tables import ablation_table, per_class_table, quality, quality_line, summary_table
from core.bench.validation import choose, seed_plan, seeds_doc, seeds_markdown, validation_view, with_chosen
from core.params import build_params, param

METHOD_ORDER = ("finetune", "neggrad", "random_labels", "bad_teacher", "tmu")
SHOWN = ("test_acc", "forget_acc", "gold_gap", "activation_distance")


@dataclass
class SubsetOptions:
    datasets: str = param("digits,synthfaces", "comma-separated datasets (digits, synthfaces)")
    classes: str = param("all", "'all' or comma-separated class codes of the task column to forget a part of")
    fraction: float = param(0.2, "share of the class's training images (or people, see faces_unit) to forget "
                            "(the paper: 100 of 5,000 per CIFAR class; more here so the accuracy moves in steps "
                            "finer than 1/3)",
                            min=0.001, max=0.99)
    methods: str = param(",".join(METHOD_ORDER), "comma-separated methods to compare with the gold model")
    epochs: int = param(8, "training epochs of the digits original and gold models", min=1, max=500)
    lr: float = param(0.002, "learning rate of the original and gold models", min=1e-6, max=1.0)
    batch_size: int = param(64, "batch size of every training loop", min=1, max=4096)
    model: str = param("smallcnn", "architecture")
    digits_size: int = param(8, "digits image side (8 = the originals; larger is upscaled and slower)", min=8, max=64)
    faces_epochs: int = param(25, "training epochs of the synthfaces original and gold models (fewer leave them "
                              "short of fitting their training data, and then nothing is 'forgotten')", min=1, max=500)
    faces_unit: str = param("people", "what a synthfaces forget set is made of: 'people' = all photos of a random "
                            "share of the class's people (a person is what users ask to delete); 'images' = a random "
                            "share of the class's photos (their people stay in retain, so the gold model still "
                            "recognises nearly all of them)", choices=["people", "images"])
    faces_task: str = param("age_group", "synthfaces task column (a class task: age_group, skin_tone)")
    faces_identities: int = param(60, "synthfaces people", min=4, max=10_000)
    faces_per_identity: int = param(20, "synthfaces photos per person", min=1, max=1000)
    faces_size: int = param(32, "synthfaces image side (32, 64, 128)")
    device: str = param("auto", "auto, cpu, cuda or mps")


def dataset_spec(name: str, o: SubsetOptions) -> tuple[dict, str, int]:
    """The scenario's dataset section, task column and training epochs for a dataset name."""
    if name == "digits":
        return {"name": "digits", "options": {"size": o.digits_size}}, "digit", o.epochs
    if name == "synthfaces":
        options = {"n_identities": o.faces_identities, "images_per_identity": o.faces_per_identity,
                   "size": o.faces_size}
        return {"name": "synthfaces", "options": options}, o.faces_task, o.faces_epochs
    raise ValueError(f"bench subset: dataset {name!r} is not supported; allowed: digits, synthfaces")


def split_options(raw: dict) -> tuple[SubsetOptions, dict[str, dict]]:
    """Suite options and per-method parameters (``method.param=value``)."""
    mine = {k: v for k, v in raw.items() if "." not in k}
    per_method: dict[str, dict] = {}
    for k, v in raw.items():
        if "." in k:
            method, name = k.split(".", 1)
            per_method.setdefault(method, {})[name] = v
    return build_params(SubsetOptions, mine, where="bench subset options"), per_method


def forget_section(o: SubsetOptions, table, task: str, cls: int, seed: int) -> dict:
    """A random ``fraction`` of class ``cls`` in train: its photos, or (faces_unit=people) its people."""
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits

    request = {"kind": "class_subset", "column": task, "value": cls, "fraction": o.fraction}
    if table.identity is None or o.faces_unit == "images":
        return request
    train = make_splits(table, task, ForgetRequest(**request), seed).train  # the scenario's own partition
    people = table.identity[train][table.columns[task][train] == cls].unique()
    gen = torch.Generator().manual_seed(seed)
    k = min(max(1, round(o.fraction * len(people))), len(people) - 1)
    return {"kind": "identities", "identities": people[torch.randperm(len(people), generator=gen)[:k]].tolist()}


def scenario_for(o: SubsetOptions, dataset: dict, task: str, epochs: int, forget: dict, cls: int, seed: int):
    from core.config import scenario_from_dict

    return scenario_from_dict({
        "dataset": dataset, "task": task, "model": o.model, "seed": seed, "device": o.device, "forget": forget,
        "train": {"epochs": epochs, "lr": o.lr, "batch_size": o.batch_size},
        "name": f"subset {dataset['name']} class {cls} seed {seed}",
    })


def chosen_classes(spec: str, n: int) -> list[int]:
    if spec.strip() == "all":
        return list(range(n))
    classes = [int(c) for c in spec.split(",") if c.strip()]
    bad = [c for c in classes if not 0 <= c < n]
    if bad:
        raise ValueError(f"bench subset: classes {bad} do not exist; the task has classes 0..{n - 1}")
    return classes


def run_one(prep, method: str, params: dict) -> dict:
    """One method on a prepared scenario: its metrics and, for TMU, its label accuracy and ablation."""
    from core.methods.tmu.predictor import ablation
    from core.pipeline.method_run import run_method
    from core.pipeline.model_scores import evaluate_model

    model, seconds, artifacts = run_method(prep, method, params)
    row = {"metrics": evaluate_model(prep, model, seconds)}
    tmu = artifacts.get("tmu")
    if tmu is not None:
        row["predictor"] = tmu["predictor"]
        gold = np.array(tmu["forget"]["gold"])
        row["ablation"] = ablation(np.array(tmu["twin"]["x"]), np.array(tmu["twin"]["hard"]),
                                   np.array(tmu["forget"]["x"]), gold, tmu["decision"],
                                   subsets=[(0, 1, 2), (0,), (1,), (2,)])
        row["all_easy_acc"] = float(np.mean(gold == 0))
    return row


def goal_score(method: str, metrics: list[dict], reference: list[dict], max_drop: float = 0.01) -> float:
    """The bench's goal as one number (higher is better): minus the mean gold_gap when the mean test
    accuracy is within ``max_drop`` of the reference's (Fine-tuning's), else below any such candidate
    (−1 − the shortfall), so a candidate that keeps the accuracy always wins."""
    gap = float(np.mean([m["gold_gap"] for m in metrics]))
    drop = float(np.mean([r["test_acc"] for r in reference]) - np.mean([m["test_acc"] for m in metrics])) \
        if reference else 0.0
    return -gap if drop <= max_drop else -1.0 - drop


def choose_settings(o: SubsetOptions, dataset: dict, table, task: str, epochs: int, classes: list[int],
                    seeds: list[int], methods: list[str], per_method: dict) -> dict:
    """Candidates scored by the goal on validation scenarios (validation seed i forgets part of class
    ``classes[i % len]``; accuracy on half of their unseen split, never a test split)."""
    from core.pipeline.method_run import run_method
    from core.pipeline.model_scores import evaluate_model
    from core.pipeline.prepared import prepare

    preps, memo = {}, {}

    def trial(seed: int, method: str, params: dict) -> dict:
        key = (seed, method, repr(sorted(params.items())))
        if key not in memo:
            if seed not in preps:
                cls = classes[seeds.index(seed) % len(classes)]
                sc = scenario_for(o, dataset, task, epochs, forget_section(o, table, task, cls, seed), cls, seed)
                preps[seed] = validation_view(prepare(sc), seed)
            model, seconds, _ = run_method(preps[seed], method, params)
            metrics = evaluate_model(preps[seed], model, seconds)
            memo[key] = {k: metrics[k] for k in ("gold_gap", "test_acc", "forget_acc")}
            print(f"[subset] validation seed {seed} {method} {params}: {memo[key]}", file=sys.stderr, flush=True)
        return memo[key]

    def score(method: str, metrics: list[dict], used: list[int]) -> float:
        ref = [trial(s, "finetune", per_method.get("finetune", {})) for s in used] if "finetune" in methods else []
        return goal_score(method, metrics, ref if method != "finetune" else [])

    return choose("subset", methods, per_method, seeds, trial, score)


@BENCHES.register("subset", "forget part of a class: Gold, Fine-tuning, NegGrad, Random Labeling, Bad Teacher, TMU")
def subset_bench(args: BenchArgs) -> BenchResult:
    import core.methods  # noqa: F401  (registrations)
    from core import paths
    from core.data import DATASETS, load_dataset
    from core.methods import METHODS
    from core.pipeline.model_scores import evaluate_model
    from core.pipeline.prepared import prepare

    o, per_method = split_options(args.options)
    plan = seed_plan(args.seeds, args.validation_seeds)
    notes, runs, choices = [], [], {}
    methods = [m.strip() for m in o.methods.split(",") if m.strip()]
    for m in [m for m in methods if m not in METHODS]:
        notes.append(f"method {m!r} is not registered yet; its column is skipped")
    methods = [m for m in methods if m in METHODS]
    datasets = [args.dataset] if args.dataset else [d.strip() for d in o.datasets.split(",") if d.strip()]
    for name in datasets:
        if name not in DATASETS:
            notes.append(f"dataset {name!r} is not registered yet; skipped")
            continue
        dataset, task, epochs = dataset_spec(name, o)
        table = load_dataset(dataset["name"], dataset["options"], paths.cache_dir())
        table.column(task, "bench subset task")  # a clear error when the task column does not exist
        classes = chosen_classes(o.classes, table.num_classes(task))
        choices[name] = choose_settings(o, dataset, table, task, epochs, classes, plan["validation"], methods,
                                        per_method)
        params = with_chosen(per_method, choices[name]["chosen"])
        for seed in plan["report"]:
            for cls in classes:
                forget = forget_section(o, table, task, cls, seed)
                prep = prepare(scenario_for(o, dataset, task, epochs, forget, cls, seed))
                base = {"dataset": name, "task": task, "seed": seed, "class": cls, "sizes": prep.splits.sizes()}
                gold = evaluate_model(prep, prep.gold.model, prep.gold.seconds)
                runs.append({**base, "method": "gold", "metrics": gold})
                for m in methods:
                    start = time.perf_counter()
                    runs.append({**base, "method": m, **run_one(prep, m, params.get(m, {}))})
                    shown = {k: round(runs[-1]["metrics"][k], 3) for k in SHOWN if k in runs[-1]["metrics"]}
                    print(f"[subset] {name} seed {seed} class {cls} {m}: {shown} ({time.perf_counter() - start:.0f}s)",
                          file=sys.stderr, flush=True)
    baselines = [m for m in methods if m != "tmu"]
    methods = ["gold", *methods]
    md = [f"# Forgetting part of a class (fraction {o.fraction}, {args.seeds} seed(s))\n"]
    md += [f"> {n}\n" for n in notes]
    verdicts = {}
    for name in sorted({r["dataset"] for r in runs}):
        mine = [r for r in runs if r["dataset"] == name]
        verdicts[name] = quality(mine, baselines)
        md += [f"\n## {name} (task {mine[0]['task']})\n", summary_table(mine, methods), "\n",
               quality_line(verdicts[name]), "\n", seeds_markdown(plan, choices[name], "by the goal below"),
               "\n### Per class (Table 1): test acc; forget acc (gold_gap)\n", per_class_table(mine, methods),
               "\n### Activation distance per class (Table 3)\n",
               per_class_table(mine, methods[1:], "activation_distance"),
               "\n### Easy/hard predictor accuracy on the forget set (Table 4, vs the gold model's labels)\n",
               ablation_table(mine)]
    md.append(departures_markdown(methods))
    chosen = {name: c["chosen"] for name, c in choices.items()}
    doc = {"options": asdict(o), "method_params": per_method, "seeds": seeds_doc(plan, list(choices.values())),
           "chosen": chosen, "validation": {name: c["trials"] for name, c in choices.items()}, "notes": notes, "runs": runs,
           "quality": verdicts}
    return BenchResult(doc, "".join(md))
