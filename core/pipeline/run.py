"""Run a Scenario end to end: data, original model, gold model, unlearning, evaluation, audit.

Each step has its own module, and this one chains them: :mod:`core.pipeline.prepared` loads the data and gets the
original and gold models (:mod:`core.pipeline.reference_models`, cached on disk by :mod:`core.pipeline.model_cache`, so a
second run of the same scenario, or another method on it, skips straight to unlearning);
:mod:`core.pipeline.method_run` unlearns; :mod:`core.pipeline.model_scores` scores each model; the attacks' reference models
(:mod:`core.pipeline.references`), the ε-score's model set (:mod:`core.pipeline.epsilon_models`) and the visual audit
(:mod:`core.explain.saliency_audit`) come last. Those steps never import this module, so none of them
closes a circle through it. Progress is reported per stage; the worker records it, the CLI draws it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Callable

import torch
from torch import nn

from core import paths
from core.config import Scenario
from core.jsonable import jsonable
from core.pipeline.method_run import run_method
from core.metrics.mia import live_attack_accuracy
from core.pipeline.model_scores import evaluate_model
from core.paths import atomic_write
from core.pipeline.prepared import Prepared, prepare
from core.progress import Progress, silent
from core.provenance import code_version
from core.training import save_checkpoint

STAGES = ("data", "original", "gold", "unlearn", "evaluate", "audit")


def _notes(prep: Prepared) -> list[str]:
    """What a reader must know to read the times: a reference model that was not trained here."""
    notes = []
    if prep.original.source == "checkpoint":
        notes.append(f"The original model is the checkpoint {prep.original.path} (sha256 {prep.original.sha256[:12]}…), "
                     "not trained here; its BatchNorm statistics were re-estimated on the train split, as for "
                     "every model scored")
    if prep.gold.source == "checkpoint" and not math.isfinite(prep.gold.seconds):
        notes.append("The gold model is a checkpoint given without gold.seconds: retraining's time, hence every "
                     "speed-up, is unknown (NaN); give gold.seconds to compare")
    if prep.extras.get("init", {}).get("skipped"):
        notes.append(f"train.init: kept every key of {prep.extras['init']['path']} but "
                     f"{', '.join(prep.extras['init']['skipped'])} (shapes differ for this data; trained from scratch)")
    return notes


def run_scenario(sc: Scenario, progress: Progress = silent, workdir: Path | None = None,
                 cache: Path | None = None, device: torch.device | None = None,
                 run_folder: Callable[[str], Path] | None = None) -> dict:
    """The whole pipeline; returns the JSON-able results document (see README). ``run_folder``: the caller's
    lookup of stored runs' folders, for a method that reuses another run's files (:func:`core.pipeline.prepared.prepare`)."""
    from core.metrics.bootstrap import forget_units
    from core.verdict import verdict

    cache = paths.cache_dir() if cache is None else cache
    prep = prepare(sc, progress, cache, device, run_folder)
    attack_costs = _attack_references(prep, cache, progress)
    # the live chart's gold line: the attack accuracy to match, computed as the chart's points are
    progress(0, 1, stage="unlearn", gold_mia_acc=live_attack_accuracy(prep.gold.model, prep.splits, prep.device))
    timing: dict = {}
    model, seconds, artifacts = run_method(prep, sc.method.name, sc.method.params, progress, workdir, timing)
    progress(0, 3, stage="evaluate")
    scored: dict[str, dict] = {}
    gold_mia = None
    for i, (name, m, s, audit) in enumerate([  # gold first: the others' mia_gold_gap intervals read its attack
            ("gold", prep.gold.model, prep.gold.seconds, prep.gold.audit_seconds),
            ("original", prep.original.model, prep.original.seconds, prep.original.audit_seconds),
            (sc.method.name, model, seconds, timing["audit_seconds"])]):
        extras: dict = {}
        ci: dict = {}
        metrics = evaluate_model(prep, m, s, extras, audit, ci, gold_mia_acc=gold_mia)
        gold_mia = metrics.get("mia_acc") if name == "gold" else gold_mia
        scored[name] = {"model": name, "metrics": metrics, "metric_ci": ci, "extras": extras}
        progress(i + 1, 3, stage="evaluate")
    rows = [scored["original"], scored["gold"], scored[sc.method.name]]
    checkpoints = {"original": prep.original.sha256, "gold": prep.gold.sha256}
    if workdir is not None:
        checkpoints[sc.method.name] = save_checkpoint(model, workdir / "unlearned.pt")
    sources = {"original": prep.original.provenance(), "gold": prep.gold.provenance()}
    if "init" in prep.extras:
        sources["init"] = prep.extras["init"]
    doc = {"scenario": sc.to_dict(), "sizes": prep.splits.sizes(), "warnings": prep.splits.warnings(), "results": rows,
           "checkpoints": checkpoints, "sources": sources, "notes": _notes(prep),
           "forget_units": forget_units(prep.splits), "artifacts": jsonable(artifacts), "code": code_version()}
    doc["verdict"] = verdict(doc)
    if workdir is not None:  # the visual audit's maps, computed here in the worker (never on a shared model)
        from core.explain.saliency_audit import safe_saliency_audit

        models = {"original": prep.original.model, "gold": prep.gold.model, sc.method.name: model}
        progress(0, 1, stage="audit")
        doc["audit"] = safe_saliency_audit(prep, models, workdir)
        progress(1, 1, stage="audit")
    _model_set_attacks(prep, doc, model, cache, progress, workdir, attack_costs)
    return doc


def _attack_references(prep: Prepared, cache: Path | None, progress: Progress) -> dict:
    """Train (or load) the reference models ``evaluation.attacks`` needs into ``prep.extras["references"]``;
    returns what each attack's references cost."""
    from core.pipeline.references import attack_references

    ev = prep.scenario.evaluation
    prep.extras["references"], costs = attack_references(prep, ev.attacks, ev.reference_models, cache, progress)
    return costs


def _model_set_attacks(prep: Prepared, doc: dict, model: nn.Module, cache: Path | None, progress: Progress,
                       workdir: Path | None, costs: dict) -> None:
    """The ε-score (many unlearned vs retrained models) and the per-sample risk table, into ``doc`` (and the
    risk table as ``risk_table.json`` in the run folder)."""
    sc, rows = prep.scenario, doc["results"]
    if "epsilon" in sc.evaluation.attacks:
        from core.pipeline.epsilon_models import epsilon_report

        eps = epsilon_report(prep, sc.evaluation.epsilon_models, cache, sc.evaluation.epsilon_runner, progress)
        doc["epsilon"] = eps
        rows[-1]["metrics"].update(eps_forget_quality=eps["forget_quality"], eps_score=eps["score"])
        costs["epsilon"] = {"seconds": eps["seconds"], "models": 2 * eps["n_models"], "cached": eps["cached"]}
    doc["attack_costs"] = costs
    scores = {row["model"]: row["extras"].get("attack_scores", {}) for row in rows}
    if workdir is not None and any(scores.values()):
        from core.metrics.risk_table import RISK_FILE, build_risk_table

        models = {"original": prep.original.model, "gold": prep.gold.model, sc.method.name: model}
        table = build_risk_table(prep, models, scores, sc.method.name, doc.get("audit"))
        atomic_write(Path(workdir) / RISK_FILE, lambda tmp: tmp.write_text(json.dumps(table)))
        doc["risk_table"] = {"file": RISK_FILE, "attack": table["attack"], "n": table["n"],
                             "top": [{k: r[k] for k in ("row", "unit", "rank", "loss", "scores")} for r in table["rows"][:10]]}
