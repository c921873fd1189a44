"""Tables, quality checks and figures of the ``feature`` benchmark, from its result rows.

Rows from every seed are averaged per (section, method); each section's table shows the columns
that section measures, and the quality targets of the task are checked against the means.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict

import plotly.graph_objects as go

TARGETS = {"attack_gap": 0.05, "acc_drop": 0.03, "overlap_ratio": 2.0, "cure": 0.5, "naive": 0.2}


def summarise(rows: list[dict]) -> list[dict]:
    """Mean (and ``*_std`` over seeds) of every numeric field per (section, method)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[(r["section"], r["method"])].append(r)
    out = []
    for (section, method), rs in groups.items():
        s = {"section": section, "method": method, "n": len(rs)}
        for key in rs[0]:
            vals = [r[key] for r in rs if isinstance(r.get(key), (int, float)) and not isinstance(r.get(key), bool)]
            if vals and len(vals) == len(rs):
                s[key] = statistics.mean(vals)
                if len(vals) > 1:
                    s[f"{key}_std"] = statistics.stdev(vals)
            elif key not in s and not isinstance(rs[0][key], (list, dict)):
                s[key] = rs[0][key]
        out.append(s)
    return out


def _fmt(v) -> str:
    if isinstance(v, float):
        return "–" if math.isnan(v) else f"{v:.3f}"
    return str(v) if v is not None else "–"


def _table(rows: list[dict], cols: list[str]) -> str:
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def _known(summary: list[dict], section: str, o) -> str:
    rows = [r for r in summary if r["section"] == section]
    if not rows:
        return ""
    feats = sorted({k[len("attack_"):] for r in rows for k in r if k.startswith("attack_") and not k.endswith("_std")})
    cols = ["method", "test_acc", "delta_acc", *(f"attack_{f}" for f in feats),
            *(f"pipeline_attack_{f}" for f in feats)]
    cols += [*(f"corr_{f}_task" for f in feats), "pipeline_acc", "adversary_acc_masked", "saliency_in_feature",
             "seconds", "note"]
    chance = {f: next((r[f"chance_{f}"] for r in rows if f"chance_{f}" in r), float("nan")) for f in feats}
    title = "Known annotations, " + ("several features at once" if section == "multi" else "one feature")
    text = [f"### {title}: task {o.known_task}, features {', '.join(feats)}",
            "attack_* = linear-probe attacker on the model's features of raw images; pipeline_* = through the "
            "remover (model ∘ remover); corr_*_task = the feature's label correlation with the task on train "
            "(delta_acc should be read against it); chance: " + ", ".join(f"{f} {chance[f]:.3f}" for f in feats), "",
            _table(rows, cols), ""]
    for r in rows:
        if r["method"].startswith("adversarial_remover"):
            for f in feats:
                raw_gap = r[f"attack_{f}"] - chance[f]
                pipe_gap = r.get(f"pipeline_attack_{f}", float("nan")) - chance[f]
                text.append(f"- {r['method']}, {f}: attacker − chance = {raw_gap:+.3f} on raw images, "
                            f"{pipe_gap:+.3f} through the remover (target ≤ {TARGETS['attack_gap']}): "
                            f"{'met' if raw_gap <= TARGETS['attack_gap'] else 'not met'} / "
                            f"{'met' if pipe_gap <= TARGETS['attack_gap'] else 'not met'}")
            drop = -r["delta_acc"]
            text.append(f"- {r['method']}: task accuracy change {r['delta_acc']:+.3f} (target drop ≤ "
                        f"{TARGETS['acc_drop']}): {'met' if drop <= TARGETS['acc_drop'] else 'not met'}")
    return "\n".join(text) + "\n"


def _pattern(summary: list[dict]) -> str:
    rows = [r for r in summary if r["section"] == "pattern"]
    if not rows:
        return ""
    atk = sorted({k for r in rows for k in r if k.startswith("attack_") and not k.endswith("_std")})
    cols = ["method", "test_acc", "delta_acc", *atk, "chosen_by", "k", "group", "group_name", "overlap_chosen",
            "overlap_other_mean", "overlap_ratio", "erased_share", "corr_region_task", "task_looks_at_pattern",
            "saliency_in_feature", "saliency_in_pattern_after", "seconds"]
    text = ["### No annotations: erase a filter group's pattern", "task_looks_at_pattern = share of the "
            "original model's guided-backprop saliency inside the erased pixels (the pattern's relevance to "
            "the task); overlap_* = share of the group maps' mass inside the region's ground-truth mask, on held-out "
            "images. pattern_unlearning erases the group a user would pick without annotations (the explorer's "
            "mask-free top rank on training images); upper bound (oracle) erases the group the ground-truth mask "
            "picks, which no user has: it bounds what the choice could reach and is not the method's result.", "",
            _table(rows, cols), ""]
    for r in rows:
        if "overlap_ratio" in r:
            ok = r["overlap_ratio"] >= TARGETS["overlap_ratio"]
            bound = " (oracle upper bound, not a result)" if r.get("chosen_by") == "mask" else ""
            text.append(f"- {r['method']}: chosen group overlaps the region {r['overlap_ratio']:.2f}x the other "
                        f"groups' mean (target ≥ {TARGETS['overlap_ratio']}): {'met' if ok else 'not met'}{bound}")
    return "\n".join(text) + "\n"


def _debias(summary: list[dict]) -> str:
    rows = [r for r in summary if r["section"] == "debias"]
    if not rows:
        return ""
    cols = ["method", "eod_before", "eod_after", "dpd_before", "dpd_after", "aps_before", "aps_after",
            "test_acc_before", "test_acc_after"]
    text = ["### Debiasing (Table 2 scenarios): bias measured on balanced held-out identities", "",
            _table(rows, cols), ""]
    for r in rows:
        ratios = {m: r[f"{m}_after"] / r[f"{m}_before"] if r[f"{m}_before"] else float("nan") for m in ("eod", "dpd")}
        if r["method"].startswith("unlearn"):
            ok = all(v <= TARGETS["cure"] for v in ratios.values())
            goal = f"at least halved (≤ {TARGETS['cure']})"
        else:
            ok = all(abs(v - 1) <= TARGETS["naive"] for v in ratios.values())
            goal = f"within {TARGETS['naive']:.0%} of the start"
        text.append(f"- {r['method']}: EOD ×{ratios['eod']:.2f}, DPD ×{ratios['dpd']:.2f} ({goal}): "
                    f"{'met' if ok else 'not met'}")
    return "\n".join(text) + "\n"


def markdown(summary: list[dict], o, seeds: int) -> str:
    head = (f"## Feature unlearning benchmark\n\nsynthfaces {o.size} px, {o.n_identities} people x "
            f"{o.images_per_identity} photos (debiasing: {o.debias_identities} people), model {o.model}, "
            f"{seeds} seed(s); means over seeds.\n")
    parts = [head, _known(summary, "single", o), _known(summary, "multi", o), _pattern(summary), _debias(summary)]
    return "\n".join(p for p in parts if p)


def debias_figure(rows: list[dict]) -> go.Figure:
    """EOD and DPD per fine-tuning step, unlearning vs naive, one line each per scenario (seed 0)."""
    fig = go.Figure()
    seen = set()
    for r in rows:
        if r["section"] != "debias" or r["method"] in seen or not r.get("curve"):
            continue
        seen.add(r["method"])
        steps = [p["step"] for p in r["curve"]]
        for metric, dash in (("eod", "solid"), ("dpd", "dot")):
            fig.add_trace(go.Scatter(x=steps, y=[p[metric] for p in r["curve"]], mode="lines+markers",
                                     name=f"{metric.upper()} {r['method']}", line={"dash": dash}))
    fig.update_layout(title="Bias during the cure (held-out balanced faces)", xaxis_title="iteration",
                      yaxis_title="difference", uirevision="debias")
    return fig


def figures(rows: list[dict], explorers: dict) -> dict:
    """Debias curves, and the filter-group figures of each pattern task's identifier."""
    from pathlib import Path

    from core.methods.pattern.explorer import GroupExplorer
    from core.methods.pattern.figures import group_maps_figure, similarity_figure, spectrum_figure

    figs = {}
    if any(r["section"] == "debias" for r in rows):
        figs["debias"] = debias_figure(rows)
    for task, files in explorers.items():
        if not files:
            continue
        ex = GroupExplorer.load(Path(files["doc"]).parent)
        figs[f"spectrum-{task}"] = spectrum_figure(ex.doc["eigengap"])
        figs[f"similarity-{task}"] = similarity_figure(ex.arrays["similarity_ordered"], ex.doc["group_sizes"])
        figs[f"groups-{task}"] = group_maps_figure(ex.arrays["images"], ex.arrays["group_maps"], ex.doc["names"])
    return figs
