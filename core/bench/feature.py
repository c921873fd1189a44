"""Benchmark ``feature``: feature unlearning (Xu et al.) on the synthetic faces, against its baselines.

Sections (option ``parts``):

- ``single`` / ``multi`` — known annotations: the adversarial remover (paper setting: adversary
  frozen; and the min-max variant) against instance-level fine-tuning and retraining on the images
  without the feature(s). Attacker = linear probe on the model's features, on raw images (the
  returned model) and through the remover (the pipeline the paper's adversary sees); the paper's own
  adversary accuracy; task accuracy change; guided-backprop saliency inside the feature's mask.
  A freshly initialised network's probe accuracy is listed as the floor no same-shaped model
  reading raw pixels can go below.
- ``pattern`` — no annotations: identifier filter groups (eigengap K), the group a user would pick
  (the explorer's mask-free top rank), erased and fine-tuned; overlap of the chosen group vs the
  others on held-out images, task accuracy change against how much the task looks at the pattern
  (saliency share). The group the region's ground-truth mask picks is an oracle no user has: it is
  run too and shown only as the "upper bound (oracle)" row.
- ``debias`` — the paper's Table 2 scenarios: EOD, DPD and APS before and after unlearning the
  bias feature, against naive fine-tuning on the same data.

The paper used CelebA at 128-224 px; here the faces are 32 px by default and the mouth covers a few
pixels, so the known-annotation feature defaults to one the task model demonstrably encodes
(``Young``, for a ``Male`` model) rather than the paper's Mouth_Slightly_Open for a Bald model,
which a linear probe cannot read from a Bald model at this size at all.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import torch

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.notes import departures_markdown
from core.bench.validation import seed_plan, seeds_doc, seeds_markdown
from core.bench.feature_report import figures, markdown, summarise
from core.bench.feature_audit import (attackers, audit_rows, label_correlation, saliency_grid, saliency_share,
                                      test_accuracy)
from core.config import scenario_from_dict
from core.bench.debias import BIAS_SCENARIOS, DebiasSettings, run_debias
from core.methods import METHODS, TrainSettings
from core.methods.pattern.method import erase
from core.methods.unet_remover import RemoverFront
from core.models import ModelSpec, build_model
from core.params import build_params, param
from core.pipeline.method_run import run_method
from core.pipeline.prepared import Prepared, prepare
from core.training import pick_device

BASELINES = ("finetune", "retrain", "drop_attribute_finetune", "drop_attribute_retrain")


@dataclass
class FeatureBenchOptions:
    parts: str = param("single,multi,pattern,debias", "comma-separated sections to run")
    n_identities: int = param(60, "people in the synthetic faces (known / pattern sections)", min=8)
    images_per_identity: int = param(20, "photos per person", min=2)
    size: int = param(32, "image side: 32, 64 or 128", min=32, max=128)
    model: str = param("smallcnn", "architecture of every model")
    epochs: int = param(6, "training epochs of original models and retraining", min=1)
    lr: float = param(2e-3, "learning rate of original models", min=1e-6)
    batch_size: int = param(32, "batch size everywhere", min=2)
    iterations: int = param(10, "remover/fine-tune alternations (half of them fine-tune the model)", min=2)
    lr_remover: float = param(5e-3, "remover learning rate", min=1e-7)
    lr_model: float = param(1e-4, "learning rate of fine-tuning on masked images and of the baselines", min=1e-7)
    identifier_epochs: int = param(3, "identifier epochs with the grouping loss", min=1)
    pattern_lr: float = param(1e-3, "fine-tuning learning rate after erasing a pattern (paper: 0.001)", min=1e-7)
    known_task: str = param("Male", "task of the known-annotation sections")
    known_feature: str = param("Young", "feature unlearned with known annotations")
    extra_feature: str = param("Eyeglasses", "second feature of the multi-feature section")
    pattern_tasks: str = param("Bald,Smiling", "tasks of the pattern section (unrelated, then related to the region)")
    pattern_region: str = param("Mouth_Slightly_Open", "ground-truth mask that names the pattern's group")
    debias_scenarios: str = param(",".join(BIAS_SCENARIOS), "Table 2 scenarios to run")
    debias_identities: int = param(120, "people in the biased training set", min=8)
    debias_update_adversary: bool = param(False, "debias with the min-max remover instead of the paper's")
    audit_images: int = param(8, "fixed test images for saliency", min=1)


def _scenario(o: FeatureBenchOptions, task: str, forget: dict, seed: int):
    opts = {"n_identities": o.n_identities, "images_per_identity": o.images_per_identity, "size": o.size}
    return scenario_from_dict({
        "name": f"feature bench: {task}", "dataset": {"name": "synthfaces", "options": opts}, "task": task,
        "model": o.model, "forget": forget, "method": {"name": "finetune", "params": {}},
        "train": {"epochs": o.epochs, "lr": o.lr, "batch_size": o.batch_size}, "seed": seed, "device": "auto",
    })


def _remover_params(o: FeatureBenchOptions, extra: list[str], minmax: bool) -> dict:
    return {"iterations": o.iterations, "lr_remover": o.lr_remover, "lr_model": o.lr_model,
            "extra_features": extra, "update_adversary": minmax}


def _retain_without(prep: Prepared, columns: list[str]) -> Prepared:
    """The same data with forget = training images having any of ``columns`` (instance-level baselines)."""
    sp = prep.splits
    hit = torch.zeros(len(sp.train), dtype=torch.bool)
    for c in columns:
        hit |= sp.table.columns[c][sp.train] == 1
    return dataclasses.replace(prep, splits=dataclasses.replace(sp, forget=sp.train[hit], retain=sp.train[~hit]))


def _row(section: str, method: str, prep: Prepared, model, cols: list[str], base_acc: float, rows, region,
         extra: dict | None = None) -> dict:
    acc = test_accuracy(model, prep.splits, prep.device)
    row = {"section": section, "method": method, "test_acc": acc, "delta_acc": acc - base_acc,
           "saliency_in_feature": saliency_share(model, prep.splits, rows, region, prep.device)}
    for c, r in attackers(model, prep.splits, cols, prep.device).items():
        row[f"attack_{c}"], row[f"chance_{c}"] = r["acc"], r["chance"]
    return {**row, **(extra or {})}


def known_section(o: FeatureBenchOptions, seed: int, multi: bool, out: Path) -> list[dict]:
    """Known annotations: remover (paper / min-max) vs instance-level fine-tuning and retraining."""
    section = "multi" if multi else "single"
    cols = [o.known_feature] + ([o.extra_feature] if multi else [])
    prep = prepare(_scenario(o, o.known_task, {"kind": "attribute", "column": o.known_feature, "value": 1}, seed))
    base = _retain_without(prep, cols)
    rows_idx = audit_rows(prep.splits, o.known_feature, o.audit_images)
    region = prep.splits.table.masks[o.known_feature][rows_idx]
    original = prep.original.model
    base_acc = test_accuracy(original, prep.splits, prep.device)
    c, h, _ = prep.splits.table.image_shape
    torch.manual_seed(seed)
    fresh = build_model(o.model, ModelSpec(c, h, prep.splits.task.out_dim)).to(prep.device)
    corr = {f"corr_{c}_task": label_correlation(prep.splits, c, o.known_task) for c in cols}
    out_rows = [_row(section, "original", prep, original, cols, base_acc, rows_idx, region, corr),
                _row(section, "random-init (probe floor)", prep, fresh, cols, base_acc, rows_idx, region)]
    models = {"original": original}
    for label, minmax in (("adversarial_remover", False), ("adversarial_remover min-max", True)):
        model, secs, art = run_method(base, "adversarial_remover", _remover_params(o, cols[1:], minmax),
                                      workdir=out / f"{section}-{label.replace(' ', '_')}-seed{seed}")
        front = RemoverFront(model, art["remover_model"]).eval()
        extra = {"seconds": secs, "adversary_acc_masked": art["adversary_acc_masked"],
                 "adversary_acc_raw": art["adversary_acc_raw"],
                 "pipeline_acc": test_accuracy(front, prep.splits, prep.device)}
        for col, r in attackers(front, prep.splits, cols, prep.device).items():
            extra[f"pipeline_attack_{col}"] = r["acc"]
        out_rows.append(_row(section, label, prep, model, cols, base_acc, rows_idx, region, extra))
        models[label] = model
    for name in BASELINES:
        if name not in METHODS:
            out_rows.append({"section": section, "method": name, "note": "not registered on this branch; skipped"})
            continue
        params = {"epochs": o.iterations // 2, "lr": o.lr_model} if name == "finetune" else {}
        if name == "retrain" and not multi:
            model, secs = prep.gold.model, prep.gold.seconds  # the gold model is exactly this retraining
        else:
            model, secs, _ = run_method(base, name, params)
        out_rows.append(_row(section, f"{name} (instance-level)", prep, model, cols, base_acc, rows_idx, region,
                             {"seconds": secs}))
        models[name] = model
    saliency_grid(models, prep.splits, rows_idx, prep.device, out / f"{section}-saliency-seed{seed}.png")
    return out_rows


PATTERN_CHOICES = (("ranking", "pattern_unlearning"), ("mask", "upper bound (oracle)"))
"""How the pattern section picks the group: as a user would, by the explorer's mask-free ranking (the
reported row), and by the region's ground-truth mask (an oracle no user has: an upper bound only)."""


def _pattern_run(o: FeatureBenchOptions, prep: Prepared, task: str, choose_by: str, label: str, base_acc: float,
                 test_rows, feature_mask, workdir: Path) -> tuple[dict, object, dict]:
    """One pattern_unlearning run choosing its group ``choose_by``; its table row, model and artifacts."""
    region_col, original = o.pattern_region, prep.original.model
    params = {"region": region_col, "choose_by": choose_by, "epochs": o.iterations // 2, "lr": o.pattern_lr,
              "identifier_epochs": o.identifier_epochs}
    model, secs, art = run_method(prep, "pattern_unlearning", params, workdir=workdir)
    doc, g = art["filter_groups"], art["pattern_group"]
    check = art.get("pattern_check", {})  # measured on held-out images, not the ones that chose the group
    x, _ = prep.splits.tensors(test_rows)
    threshold = METHODS.get("pattern_unlearning").Params().threshold
    _, hit = erase(art["identifier_model"], doc["layer"], art["identifier_groups"], g, x, threshold,
                   art["pattern_scale"], prep.device)
    info = {"task": task, "chosen_by": choose_by, "k": doc["k"], "group": g, "group_name": art["pattern_name"],
            "top_k": doc["eigengap"]["top_k"], "overlap_chosen": check.get("chosen", float("nan")),
            "overlap_other_mean": check.get("other_mean", float("nan")),
            "overlap_ratio": check.get("ratio", float("nan")), "overlap_measured_on": check.get("measured_on"),
            "erased_share": art["erased_share"], "corr_region_task": label_correlation(prep.splits, region_col, task),
            "task_looks_at_pattern": saliency_share(original, prep.splits, test_rows, hit, prep.device)}
    row = {**_row("pattern", f"{label} [{task}]", prep, model, [region_col], base_acc, test_rows, feature_mask,
                  {"seconds": secs}), **info,
           "saliency_in_pattern_after": saliency_share(model, prep.splits, test_rows, hit, prep.device)}
    return row, model, art


def pattern_section(o: FeatureBenchOptions, seed: int, out: Path) -> tuple[list[dict], dict]:
    """No annotations: identifier groups, erase the explorer's top-ranked group, fine-tune; per task.
    The group the region's mask would pick is run too, reported only as the oracle's upper bound."""
    rows, explorer = [], {}
    region_col = o.pattern_region
    for task in [t for t in o.pattern_tasks.split(",") if t]:
        prep = prepare(_scenario(o, task, {"kind": "pattern", "column": region_col, "value": 1}, seed))
        original = prep.original.model
        base_acc = test_accuracy(original, prep.splits, prep.device)
        test_rows = audit_rows(prep.splits, region_col, o.audit_images)
        feature_mask = prep.splits.table.masks[region_col][test_rows]
        rows.append({**_row("pattern", f"original [{task}]", prep, original, [region_col], base_acc, test_rows,
                            feature_mask), "task": task})
        models = {"original": original}
        for choose_by, label in PATTERN_CHOICES:
            row, model, art = _pattern_run(o, prep, task, choose_by, label, base_acc, test_rows, feature_mask,
                                           out / f"pattern-{task}-{choose_by}-seed{seed}")
            rows.append(row)
            models[label] = model
            if choose_by == "ranking":
                explorer.setdefault(task, art.get("filter_groups_files", {}))
        ft, ft_secs, _ = run_method(prep, "finetune", {"epochs": o.iterations // 2, "lr": o.lr_model})
        rows.append({**_row("pattern", f"finetune (instance-level) [{task}]", prep, ft, [region_col], base_acc,
                            test_rows, feature_mask, {"seconds": ft_secs}), "task": task})
        saliency_grid(models, prep.splits, test_rows, prep.device, out / f"pattern-{task}-saliency-seed{seed}.png")
    return rows, explorer


def debias_section(o: FeatureBenchOptions, seed: int) -> list[dict]:
    """Table 2 scenarios: EOD / DPD / APS before and after unlearning the bias vs naive fine-tuning."""
    rows = []
    for key in [k for k in o.debias_scenarios.split(",") if k]:
        sc = BIAS_SCENARIOS[key]
        settings = DebiasSettings(
            n_identities=o.debias_identities, per_identity=o.images_per_identity, size=o.size, model=o.model,
            train=TrainSettings(o.epochs, o.lr, o.batch_size), seed=seed,
            remover={"iterations": o.iterations, "lam": sc.lam, "beta": sc.beta, "lr_remover": o.lr_remover,
                     "lr_model": o.lr_model, "update_adversary": o.debias_update_adversary})
        res = run_debias(key, settings, pick_device("auto"))
        b = res["before"]
        for cure in ("unlearn", "unlearn_pipeline", "naive"):
            a = res[f"after_{cure}"]
            label = "unlearn, behind its remover" if cure == "unlearn_pipeline" else cure
            rows.append({"section": "debias", "method": f"{label} [{sc.title}]", "scenario": key,
                         **{f"{m}_before": b.get(m, float("nan")) for m in ("eod", "dpd", "aps", "test_acc")},
                         **{f"{m}_after": a.get(m, float("nan")) for m in ("eod", "dpd", "aps", "test_acc")},
                         "curve": [{k: pt.get(k) for k in ("step", "eod", "dpd", "aps", "test_acc")}
                                   for pt in res.get(cure, [])]})
    return rows


@BENCHES.register("feature", "Feature unlearning: known annotations (single, multi), patterns, debiasing")
def feature_bench(args: BenchArgs) -> BenchResult:
    o = build_params(FeatureBenchOptions, args.options, where="bench feature options")
    parts = {p.strip() for p in o.parts.split(",") if p.strip()}
    unknown = parts - {"single", "multi", "pattern", "debias"}
    if unknown:
        raise ValueError(f"bench feature: unknown part(s) {sorted(unknown)}; allowed: single, multi, pattern, debias")
    out = Path(args.out_dir) / "feature-bench"
    rows, explorers = [], {}
    plan = seed_plan(args.seeds, 0)  # nothing chosen on seeds: the pattern group is chosen per run, mask-free
    for seed in plan["report"]:
        if "single" in parts:
            rows += known_section(o, seed, False, out)
        if "multi" in parts:
            rows += known_section(o, seed, True, out)
        if "pattern" in parts:
            pattern_rows, ex = pattern_section(o, seed, out)
            rows += pattern_rows
            explorers.update({k: v for k, v in ex.items() if k not in explorers})
        if "debias" in parts:
            rows += debias_section(o, seed)
    summary = summarise(rows)
    doc = {"bench": "feature", "seeds": seeds_doc(plan, []), "chosen": {}, "options": dataclasses.asdict(o),
           "rows": rows, "summary": summary, "explorers": explorers}
    md = (markdown(summary, o, args.seeds) + "\n"
          + seeds_markdown(plan, {}, why="the methods run their defaults or the values given; the pattern group is "
                                         "chosen in each run from the explorer's ranking on training images")
          + departures_markdown(["adversarial_remover", "pattern_unlearning", *BASELINES]))
    return BenchResult(doc, md, figures(rows, explorers))
