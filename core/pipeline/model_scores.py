"""Score one model on a prepared scenario: the full metric table, its time and speed-up over retraining,
and each metric's 95% bootstrap interval over the forget set's units."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from torch import nn

from core.config import Scenario
from core.jsonable import jsonable
from core.metrics import Evaluation, evaluate
from core.pipeline.prepared import Prepared

BOOTSTRAP_RESAMPLES = 200  # resamples of each final metric's interval (core/metrics/bootstrap.py)


def metric_settings(sc: Scenario) -> dict[str, Any]:
    """What the metrics read from the scenario (live and final alike): its ``evaluation`` section."""
    return asdict(sc.evaluation)


def evaluate_model(prep: Prepared, model: nn.Module, seconds: float, extras: dict | None = None,
                   audit_seconds: float | None = None, intervals: dict | None = None,
                   resamples: int = BOOTSTRAP_RESAMPLES, gold_mia_acc: float | None = None) -> dict[str, float]:
    """The full metric table for one model, with its time and speed-up over retraining (NaN when either
    time is unknown: a checkpoint given without ``seconds``), and ``audit_seconds`` when given.

    When ``extras`` is given it receives what metrics keep beside their numbers (e.g. ROC points); when
    ``intervals`` is given it receives each metric's 95% bootstrap interval over the forget set's units
    (core/metrics/bootstrap.py; ``resamples`` draws, seeded by the scenario's seed; ``gold_mia_acc``, the gold
    row's attack accuracy when known, saves rerunning the gold model's attack)."""
    sc = prep.scenario
    settings = {**metric_settings(sc),  # a several-attribute run is scored on each attribute:
                "extra_attributes": list(sc.method.params.get("extra_attributes") or [])}
    refs = {"references": prep.extras["references"]} if prep.extras.get("references") else {}  # attacks' models
    ev = Evaluation(model, prep.splits, prep.device, gold=prep.gold.model, settings=settings, extras=refs)
    metrics = evaluate(ev)
    if extras is not None:
        extras.update(jsonable(ev.extras) or {})
    if intervals is not None:
        from core.metrics.bootstrap import evaluation_intervals

        intervals.update(evaluation_intervals(ev, metrics, resamples, sc.seed, gold_mia_acc))
    metrics["seconds"] = seconds
    known = seconds > 0 and math.isfinite(seconds) and math.isfinite(prep.gold.seconds)
    metrics["speedup"] = prep.gold.seconds / seconds if known else float("nan")
    if audit_seconds is not None:
        metrics["audit_seconds"] = audit_seconds
    return metrics
