"""Apply one unlearning method to a copy of a prepared scenario's original model, timing its unlearning
compute apart from the live evaluations and progress reports it makes."""

from __future__ import annotations

import time
from pathlib import Path

from torch import nn

from core.methods import METHODS, Context
from core.pipeline.model_scores import metric_settings
from core.params import build_params
from core.pipeline.prepared import Prepared
from core.progress import Progress, silent
from core.training import seed_everything


def run_method(prep: Prepared, method_name: str, params: dict, progress: Progress = silent,
               workdir: Path | None = None, timing: dict | None = None) -> tuple[nn.Module, float, dict]:
    """Apply one unlearning method to a copy of the original model; returns model, seconds, artifacts.

    ``seconds`` is the method's unlearning compute only: the live evaluations and progress reports it
    makes (``Context.audit_seconds``) are measured apart and left out; ``timing``, when given, receives
    ``{"seconds", "audit_seconds", "audit_cpu_seconds"}``. The final BatchNorm recalibration is counted in: it produces the model."""
    import copy

    method_cls = METHODS.get(method_name)
    method = method_cls(build_params(method_cls.Params, params, where="method.params"))
    sc = prep.scenario
    ctx = Context(model=copy.deepcopy(prep.original.model).to(prep.device), splits=prep.splits,
                  device=prep.device, model_name=sc.model, train=sc.train, seed=sc.seed,
                  progress=progress, gold=prep.gold.model, workdir=workdir, calibrate_on=method_cls.calibration_split,
                  metric_settings=metric_settings(sc), run_folder=prep.run_folder)
    method.check(ctx)
    seed_everything(sc.seed)
    audit_before, audit_cpu_before = ctx.audit_seconds, ctx.audit_cpu_seconds
    start = time.perf_counter()
    model = method.unlearn(ctx)
    ctx.recalibrate(model)  # counted in the method's time: it is part of producing the model
    audit = ctx.audit_seconds - audit_before
    seconds = max(time.perf_counter() - start - audit, 0.0)
    if timing is not None:
        timing.update(seconds=seconds, audit_seconds=audit, audit_cpu_seconds=ctx.audit_cpu_seconds - audit_cpu_before)
    return model, seconds, ctx.artifacts
