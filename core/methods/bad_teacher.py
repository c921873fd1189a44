"""Bad Teacher (Chundawat et al., "Can bad teaching induce forgetting?").

The student (a copy of the original) is distilled from two teachers at once: on retain samples from
the competent teacher (the frozen original model), on forget samples from an incompetent teacher (a
randomly initialised model of the same architecture). The data is the forget set plus a random part
of the retain set, shuffled together; the loss is the per-head KL to whichever teacher owns the sample.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.methods.base import METHODS, Context, Method
from core.methods.objectives import distill_kl
from core.methods.stepping import Stepper
from core.params import param


@dataclass
class BadTeacherParams:
    epochs: int = param(1, "passes over forget + the retain part (paper: 1)", min=1, max=100, search=(1, 4, "int"))
    lr: float = param(1e-4, "Adam learning rate (paper: 1e-4)", min=1e-6, max=1.0, search=(1e-5, 1e-3, "log"))
    retain_fraction: float = param(0.3, "share of the retain set mixed in (paper: 30%)", min=0.0, max=1.0)
    temperature: float = param(1.0, "distillation temperature (paper: 1)", min=0.1, max=100.0)
    batch_size: int = param(256, "batch size (paper: 256)", min=1, max=4096)


def mixed_loader(ctx: Context, fraction: float, batch_size: int, epoch: int) -> DataLoader:
    """Forget samples (flag 1) and a random ``fraction`` of retain (flag 0), shuffled together."""
    gen = torch.Generator().manual_seed(ctx.seed + epoch)
    retain = ctx.splits.retain
    part = retain[torch.randperm(len(retain), generator=gen)[: int(round(fraction * len(retain)))]]
    index = torch.cat([ctx.splits.forget, part])
    flag = torch.cat([torch.ones(len(ctx.splits.forget), dtype=torch.bool), torch.zeros(len(part), dtype=torch.bool)])
    x, _ = ctx.splits.tensors(index)
    return DataLoader(TensorDataset(x, flag), batch_size=batch_size, shuffle=True, generator=gen)


def incompetent_teacher(ctx: Context) -> nn.Module:
    """The teacher of the forget samples: a randomly initialised, frozen model of the same architecture."""
    return ctx.fresh_model().eval().requires_grad_(False)


@METHODS.register("bad_teacher", "Bad Teacher: distil retain from the original, forget from a random model")
class BadTeacher(Method):
    Params = BadTeacherParams

    def unlearn(self, ctx: Context) -> nn.Module:
        p, student, task = self.params, ctx.model, ctx.splits.task
        good = copy.deepcopy(student).eval().requires_grad_(False)
        bad = incompetent_teacher(ctx)
        step = Stepper(student, p.lr, "bad_teacher", kind="adam")
        for epoch in range(p.epochs):
            student.train()
            for x, flag in mixed_loader(ctx, p.retain_fraction, p.batch_size, epoch):
                x, flag = x.to(ctx.device), flag.to(ctx.device)
                with torch.no_grad():
                    target = torch.where(flag[:, None], bad(x), good(x))
                step(distill_kl(task, student(x), target, p.temperature))
            ctx.report(epoch + 1, p.epochs, student, loss=step.end_epoch())
        return student
