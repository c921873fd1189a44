"""The unlearning-method interface: a hyper-parameter dataclass and one verb, ``unlearn(ctx)``.

A method receives a :class:`Context` (a copy of the original model, the splits, the device, the
training settings and a progress reporter) and returns the unlearned model. ``ctx.report`` computes
the live metrics and calls ``progress``, which raises ``Cancelled`` when the user cancels.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, ClassVar

import torch
from torch import nn
from torch.utils.data import DataLoader

from core.data.splits import Splits
from core.models.base import ModelSpec, SplitModel, build_model
from core.progress import Progress, silent
from core.registry import Registry
from core.train_settings import TrainSettings


class TimedProgress:
    """A progress reporter that adds the time spent inside it (store writes, drawing, a slow callback) to
    ``seconds``: reporting is the audit's cost, not the method's or the training's."""

    def __init__(self, progress: Progress) -> None:
        self.inner = progress
        self.seconds = 0.0
        self.cpu_seconds = 0.0  # process CPU time, for benches that compare CPU time

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        start, cpu = time.perf_counter(), time.process_time()
        try:
            self.inner(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start
            self.cpu_seconds += time.process_time() - cpu


@dataclass
class Context:
    """Everything a method may use. ``gold`` is only for live alignment metrics, never for unlearning."""

    model: SplitModel
    splits: Splits
    device: torch.device
    model_name: str
    train: TrainSettings = field(default_factory=TrainSettings)
    seed: int = 0
    progress: Progress = silent
    gold: nn.Module | None = None
    workdir: Path | None = None
    artifacts: dict[str, Any] = field(default_factory=dict)
    stage: str = "unlearn"
    calibrate_on: str | None = None  # split whose images re-estimate BatchNorm statistics (see Method)
    # Images that re-estimate the final model's BN statistics: 1024 estimate each channel's mean and variance
    # to about 3% of its spread, at a quarter of the cost of 4000 (the final recalibration is method time).
    calibration_limit: int = 1024
    metric_settings: dict[str, Any] = field(default_factory=dict)  # the scenario's evaluation section
    eval_seconds: float = 0.0  # time of the live evaluations in :meth:`report` (see :attr:`audit_seconds`)
    eval_cpu_seconds: float = 0.0  # their process CPU time
    # Another stored run's folder by its id (KeyError naming what is missing when there is none), for a method
    # that reuses a run's files; handed in by the orchestration that owns the run store, None where there is none.
    run_folder: Callable[[str], Path] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.progress, TimedProgress):  # every progress call is timed as audit time
            self.progress = TimedProgress(self.progress)

    @property
    def audit_seconds(self) -> float:
        """Seconds spent auditing rather than unlearning: the live evaluations (BN recalibration,
        accuracies, the membership attack) and every progress report. ``run_method`` subtracts them from
        the method's ``seconds``, so a speed-up over retraining compares unlearning compute only."""
        return self.eval_seconds + self.progress.seconds

    @property
    def audit_cpu_seconds(self) -> float:
        """The process CPU time of the same (benches compare CPU time, which wall time on a loaded machine is not)."""
        return self.eval_cpu_seconds + self.progress.cpu_seconds

    def recalibrate(self, model: nn.Module, limit: int | None = None) -> None:
        """Re-estimate ``model``'s BatchNorm statistics on (up to ``limit`` images of) ``calibrate_on``.

        Only the BN buffers change (training itself uses batch statistics), so calling this before
        an evaluation never alters what the method learns, only that eval mode matches the weights.
        """
        if self.calibrate_on is None:
            return
        from core.training import recalibrate_batchnorm

        idx = self.splits.index(self.calibrate_on)[: limit or self.calibration_limit]
        if len(idx):
            recalibrate_batchnorm(model, self.splits.loader(idx, self.train.batch_size), self.device)

    def fresh_model(self) -> SplitModel:
        """A newly initialised model of the same architecture (for retraining baselines)."""
        c, h, _ = self.splits.table.image_shape
        torch.manual_seed(self.seed)
        return build_model(self.model_name, ModelSpec(c, h, self.splits.task.out_dim)).to(self.device)

    def loader(self, split: str | torch.Tensor, shuffle: bool = True, batch_size: int | None = None,
               epoch: int = 0) -> DataLoader:
        return self.splits.loader(split, batch_size or self.train.batch_size, shuffle, seed=self.seed + epoch)

    def report(self, step: int, total: int, model: nn.Module, **extra: float) -> None:
        """Compute the cheap live metrics on ``model`` and report them (may raise Cancelled, or Diverged
        when a weight is no longer finite: every method reports, not every method steps through Stepper)."""
        from core.metrics import Evaluation, evaluate
        from core.training import check_weights

        check_weights(model, f"{self.stage} step {step} of {total}")
        start, cpu = time.perf_counter(), time.process_time()
        live = Evaluation(model, self.splits, self.device, gold=self.gold, live=True, settings=self.metric_settings)
        self.recalibrate(model, live.live_limit)
        metrics = evaluate(live)
        model.train()
        self.eval_seconds += time.perf_counter() - start
        self.eval_cpu_seconds += time.process_time() - cpu
        self.progress(step, total, stage=self.stage, **metrics, **extra)


@dataclass
class NoParams:
    pass


class Method:
    """Base class: set ``Params`` and implement ``unlearn``."""

    Params: ClassVar[type] = NoParams
    multi_label: ClassVar[bool] = True  # False where a method cannot handle several task heads
    # The split whose images re-estimate the model's BatchNorm running statistics before each live
    # evaluation and once at the end: weights that moved fast leave stale averages, and a model that
    # mispredicts in eval mode only because of them would pass for "forgotten". None for methods whose
    # model is fed other images (masked, erased) or that recalibrate on their own data.
    calibration_split: ClassVar[str | None] = "retain"
    # The forget kinds (names in core.data.forget.FORGET_KINDS) this method applies to; None = every
    # kind. Pickers offer a method only for its kinds, and the conformance tests skip a method only
    # for a kind it does not declare (a refusal by ``check`` for a declared kind is a failure).
    kinds: ClassVar[tuple[str, ...] | None] = None
    departures: ClassVar[tuple[str, ...]] = ()  # deliberate departures from the paper, listed in bench notes

    def __init__(self, params: Any = None) -> None:
        self.params = params if params is not None else self.Params()

    def unlearn(self, ctx: Context) -> nn.Module:
        raise NotImplementedError

    def check(self, ctx: Context) -> None:
        """Raise ValueError naming the problem when the method cannot apply to this request."""
        if ctx.splits.task.is_multi and not self.multi_label:
            raise ValueError(f"method {type(self).__name__} cannot handle a multi-label task "
                             f"({', '.join(ctx.splits.task.columns)}); pick one task column")


METHODS: Registry[type[Method]] = Registry("method")
