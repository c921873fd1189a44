"""SCRUB (Kurmanji et al., "Towards Unbounded Machine Unlearning"): teacher-student unlearning.

The teacher is the frozen original model; the student starts as a copy of it. Each epoch, while
``epoch < max_epochs`` the student first takes *max steps* on the forget set (gradient ascent on
KL(teacher ‖ student)), then *min steps* on the retain set (``γ·CE + α·KL`` to the teacher). The KL
is per task head, so multi-label tasks work.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import torch
from torch import nn

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.objectives import distill_kl
from core.methods.stepping import batches
from core.params import param


@dataclass
class ScrubParams:
    epochs: int = param(3, "SCRUB epochs: min passes over the retain set (SCRUB's small-scale default: 3)",
                        min=1, max=100, search=(1, 6, "int"))
    max_epochs: int = param(2, "the first this many epochs also take max steps on the forget set (SCRUB's msteps: 2)",
                            min=0, max=100, search=(0, 4, "int"))
    lr: float = param(0.005, "SGD learning rate, momentum 0.9 (SCRUB: 0.0005 with ~400 steps per epoch; our small "
                             "sets give ~20, so 10x larger)", min=1e-6, max=1.0,
                      search=(5e-4, 0.05, "log"))
    temperature: float = param(4.0, "distillation temperature T (SCRUB: 4)", min=0.1, max=100.0)
    ce_weight: float = param(0.99, "γ, weight of the retain cross-entropy (SCRUB: 0.99)", min=0.0, max=100.0)
    kl_weight: float = param(0.001, "α, weight of the retain KL to the teacher (SCRUB: 0.001)", min=0.0, max=100.0)
    forget_batch_size: int = param(32, "batch size of the max steps (SCRUB: 32)", min=1, max=4096)
    retain_batches: int = param(0, "min steps per epoch: at most this many retain batches (0 = the whole retain "
                                   "set, as in SCRUB; a few keep the method inside a tenth of retraining's time)",
                                min=0, max=1_000_000, search=(0, 40, "int"))
    max_grad_norm: float = param(5.0, "clip each step's gradient norm to this (0 = off); guards the ascent",
                                 min=0.0, max=1e6)


@METHODS.register("scrub", "SCRUB: student moves away from the teacher on forget, stays close on retain")
class Scrub(EpochMethod):
    Params = ScrubParams
    departures = ("SGD lr 0.005, not SCRUB's 0.0005 (our small sets give ~20 steps per epoch, not ~400)",
                  "retain_batches can cap the min steps per epoch (SCRUB: a whole retain pass; 0, the default, is "
                  "SCRUB's), so a tuned SCRUB fits a time budget")

    def setup(self, ctx: Context) -> nn.Module:
        """The teacher: the frozen original model."""
        return copy.deepcopy(ctx.model).eval().requires_grad_(False)

    def batches(self, ctx: Context, epoch: int):
        """``("max", batch)`` for a pass over the forget set while ``epoch < max_epochs``, then
        ``("min", batch)`` for a pass over the retain set."""
        p = self.params
        if epoch < p.max_epochs:
            yield from (("max", b) for b in batches(ctx, "forget", epoch, p.forget_batch_size))
        retain = batches(ctx, "retain", epoch)
        yield from (("min", b) for b in itertools.islice(retain, p.retain_batches or None))

    def loss(self, ctx: Context, teacher: nn.Module, batch) -> torch.Tensor:
        """A max step ascends KL(teacher ‖ student) on forget, which is what moves the student away from
        the teacher there (the min steps alone would keep it close); a min step is ``γ·CE + α·KL`` on retain."""
        p, task, (phase, (x, y)) = self.params, ctx.splits.task, batch
        with torch.no_grad():
            target = teacher(x)
        out = ctx.model(x)
        if phase == "max":
            return -distill_kl(task, out, target, p.temperature)
        return p.ce_weight * task.loss(out, y) + p.kl_weight * distill_kl(task, out, target, p.temperature)
