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

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.objectives import distill_kl
from core.methods.stepping import on_device
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
class BadTeacher(EpochMethod):
    Params = BadTeacherParams
    optimizer = "adam"

    def setup(self, ctx: Context) -> tuple[nn.Module, nn.Module]:
        """The two frozen teachers: (competent = the original, incompetent = a random model)."""
        return copy.deepcopy(ctx.model).eval().requires_grad_(False), incompetent_teacher(ctx)

    def batches(self, ctx: Context, epoch: int):
        p = self.params
        return (on_device(b, ctx.device) for b in mixed_loader(ctx, p.retain_fraction, p.batch_size, epoch))

    def loss(self, ctx: Context, teachers: tuple[nn.Module, nn.Module], batch) -> torch.Tensor:
        (good, bad), (x, flag) = teachers, batch
        with torch.no_grad():
            target = torch.where(flag[:, None], bad(x), good(x))
        return distill_kl(ctx.splits.task, ctx.model(x), target, self.params.temperature)
