"""Markdown tables for ``bench subset``: a summary, per-class tables like the TMU paper's Tables 1
and 3, and the feature ablation like its Table 4. Values are averaged over seeds; the summary's
± is the standard deviation over seeds of the class-averaged value."""

from __future__ import annotations

import numpy as np

SUMMARY = ("test_acc", "forget_acc", "gold_gap", "activation_distance")
ABLATION = ("NF+AF+CF", "NF", "AF", "CF")


def _mean(values: list[float]) -> float:
    vals = [v for v in values if v is not None and not np.isnan(v)]
    return float(np.mean(vals)) if vals else float("nan")


def _class_avg_per_seed(runs: list[dict], method: str, key: str) -> list[float]:
    """For each seed, the metric averaged over classes."""
    seeds = sorted({r["seed"] for r in runs})
    return [_mean([r["metrics"].get(key, float("nan")) for r in runs if r["method"] == method and r["seed"] == s])
            for s in seeds]


def _pm(values: list[float], scale: float = 100.0, digits: int = 1) -> str:
    vals = [v for v in values if not np.isnan(v)]
    if not vals:
        return "–"
    return f"{scale * np.mean(vals):.{digits}f} ± {scale * np.std(vals):.{digits}f}"


def _label_acc_per_seed(runs: list[dict], method: str) -> list[float]:
    seeds = sorted({r["seed"] for r in runs})
    return [_mean([r["predictor"]["forget_acc"] for r in runs
                   if r["method"] == method and r["seed"] == s and "predictor" in r]) for s in seeds]


def summary_table(runs: list[dict], methods: list[str]) -> str:
    """One row per method: test acc, forget acc, gold_gap (%), activation distance, label accuracy."""
    lines = ["| method | test acc (%) | forget acc (%) | gold_gap (%) | activation distance "
             "| easy/hard label acc (%) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for m in methods:
        cells = [_pm(_class_avg_per_seed(runs, m, k), 1.0 if k == "activation_distance" else 100.0,
                     3 if k == "activation_distance" else 1) for k in SUMMARY]
        lines.append(f"| {m} | {' | '.join(cells)} | {_pm(_label_acc_per_seed(runs, m))} |")
    return "\n".join(lines) + "\n"


def _cell(rows: list[dict], key: str | None) -> str:
    if not rows:
        return "–"
    if key is not None:
        return f"{_mean([r['metrics'].get(key, float('nan')) for r in rows]):.3f}"
    t, f, g = (100 * _mean([r["metrics"].get(k, float("nan")) for r in rows])
               for k in ("test_acc", "forget_acc", "gold_gap"))
    return f"{t:.1f}; {f:.1f}" if rows[0]["method"] == "gold" else f"{t:.1f}; {f:.1f} ({g:.1f})"


def per_class_table(runs: list[dict], methods: list[str], key: str | None = None) -> str:
    """Rows = classes + Avg; a cell is "test; forget (gold_gap)" in %, or one metric when ``key`` is set."""
    classes = sorted({r["class"] for r in runs})
    lines = ["| class | " + " | ".join(methods) + " |", "| --- |" + " --- |" * len(methods)]
    for c in [*classes, "Avg"]:
        pick = (lambda r: True) if c == "Avg" else (lambda r, c=c: r["class"] == c)
        cells = [_cell([r for r in runs if r["method"] == m and pick(r)], key) for m in methods]
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def ablation_table(runs: list[dict]) -> str:
    """TMU's predictor accuracy (%) per feature subset: "twin (fit); forget (vs gold)", plus "all easy"."""
    tmu = [r for r in runs if "ablation" in r]
    if not tmu:
        return "(no TMU runs)\n"
    classes = sorted({r["class"] for r in tmu})
    lines = ["| class | all easy | " + " | ".join(ABLATION) + " |", "| --- |" + " --- |" * (len(ABLATION) + 1)]
    for c in [*classes, "Avg"]:
        rows = [r for r in tmu if c == "Avg" or r["class"] == c]
        cells = [f"{100 * _mean([r['all_easy_acc'] for r in rows]):.1f}"]
        for name in ABLATION:
            ab = [a for r in rows for a in r["ablation"] if a["features"] == name]
            twin, real = (100 * _mean([a[k] for a in ab]) for k in ("twin_acc", "forget_acc"))
            cells.append(f"{twin:.1f}; {real:.1f}")
        lines.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def quality(runs: list[dict], baselines: list[str], max_drop: float = 0.01) -> dict:
    """The issue's goal on one dataset's runs: TMU's mean gold_gap below every baseline's, at a test
    accuracy no more than ``max_drop`` below Fine-tuning's. Means are over seeds and classes."""
    def avg(method: str, key: str) -> float:
        return _mean(_class_avg_per_seed(runs, method, key))

    if not any(r["method"] == "tmu" for r in runs):
        return {"checked": False, "why": "no TMU runs"}
    gaps = {m: avg(m, "gold_gap") for m in baselines if any(r["method"] == m for r in runs)}
    tmu_gap, tmu_acc = avg("tmu", "gold_gap"), avg("tmu", "test_acc")
    ft_acc = avg("finetune", "test_acc") if "finetune" in gaps else float("nan")
    smallest = all(tmu_gap < g for g in gaps.values())
    keeps_acc = bool(np.isnan(ft_acc) or tmu_acc >= ft_acc - max_drop)
    return {"checked": True, "tmu_gold_gap": tmu_gap, "baseline_gold_gaps": gaps, "tmu_test_acc": tmu_acc,
            "finetune_test_acc": ft_acc, "smallest_gap": smallest, "keeps_accuracy": keeps_acc,
            "met": bool(smallest and keeps_acc)}


def quality_line(q: dict) -> str:
    """One markdown line saying whether the goal was met, with the numbers it rests on."""
    if not q.get("checked"):
        return f"Quality goal not checked: {q.get('why', '')}.\n"
    best = min(q["baseline_gold_gaps"].items(), key=lambda kv: kv[1], default=("none", float("nan")))
    verdict = "met" if q["met"] else "NOT met"
    return (f"Quality goal (TMU's gold_gap below every baseline's, test acc ≥ Fine-tuning's − 1 point): **{verdict}** "
            f"— TMU gold_gap {100 * q['tmu_gold_gap']:.1f}% vs best baseline {best[0]} {100 * best[1]:.1f}%; "
            f"TMU test acc {100 * q['tmu_test_acc']:.1f}% vs Fine-tuning {100 * q['finetune_test_acc']:.1f}%.\n")
