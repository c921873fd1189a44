"""CF, the curriculum-learning-loss feature: easy samples are learned first, so after one or two
epochs from scratch an easy sample's loss is already small and a hard one's is not.

One scratch model serves both problems: it is trained on a part of the retain set plus the real
forget set and every twin forget set, so D_f and D_t stand in the same relation to it.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.methods.base import Context
from core.training import map_batches, recalibrate_batchnorm, train_epochs


def train_curriculum_model(ctx: Context, extra_x: torch.Tensor, extra_y: torch.Tensor, epochs: int,
                           retain_fraction: float, gen: torch.Generator) -> nn.Module:
    """A fresh model trained ``epochs`` passes on a ``retain_fraction`` of retain + forget + ``extra``."""
    retain = ctx.splits.retain
    part = retain[torch.randperm(len(retain), generator=gen)[: max(1, round(retain_fraction * len(retain)))]]
    x, y = ctx.splits.tensors(torch.cat([part, ctx.splits.forget]))
    data = TensorDataset(torch.cat([x, extra_x]), torch.cat([y, extra_y]))
    loader = DataLoader(data, batch_size=ctx.train.batch_size, shuffle=True, generator=gen)
    model = train_epochs(ctx.fresh_model(), loader, ctx.splits.task, epochs, ctx.train.lr, ctx.device,
                         ctx.progress, stage="tmu curriculum")
    return recalibrate_batchnorm(model, loader, ctx.device)


def curriculum_feature(model: nn.Module, task, x: torch.Tensor, y: torch.Tensor, device: torch.device) -> torch.Tensor:
    """CF: each sample's loss under the briefly trained model."""
    model.eval().to(device)
    return task.loss(map_batches(model, x, device), y, reduction="none")
