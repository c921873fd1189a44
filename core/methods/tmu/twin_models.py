"""The twin problem's two models and its free labels.

The twin model is the original model fine-tuned on the twin forget set D_t (plus its siblings S
and some replayed training samples, so it does not drift); the twin's gold model is the original
fine-tuned the same way without D_t (just the original when S is empty). Both get their BatchNorm
statistics re-estimated on their training data, as every model of the pipeline does. A twin sample is hard
when the twin's gold model gets it wrong.
"""

from __future__ import annotations

import copy

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.methods.base import Context
from core.methods.tmu.twin import TwinSet
from core.training import check_finite, predict_logits, recalibrate_batchnorm


def fine_tune_copy(ctx: Context, original: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int, lr: float,
                   replay: int, gen: torch.Generator, stage: str) -> nn.Module:
    """A copy of ``original`` fine-tuned with Adam on ``(x, y)`` mixed with ``replay`` train samples per sample."""
    model = copy.deepcopy(original).to(ctx.device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    train = ctx.splits.train
    for epoch in range(epochs):
        model.train()
        rx, ry = ctx.splits.tensors(train[torch.randint(len(train), (replay * len(y),), generator=gen)])
        data = TensorDataset(torch.cat([x, rx]), torch.cat([y, ry]))
        total = 0.0
        for xb, yb in DataLoader(data, batch_size=ctx.train.batch_size, shuffle=True, generator=gen):
            loss = ctx.splits.task.loss(model(xb.to(ctx.device)), yb.to(ctx.device))
            check_finite(loss, f"{stage} epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        ctx.progress(epoch + 1, epochs, stage=stage, loss=total / max(len(data), 1))
    # As every model the pipeline hands out: eval-mode BN statistics of the data it was trained on (the
    # last epoch's mix), not momentum averages lagging behind a fast fine-tune, which would mislabel
    # twin samples as hard (wrong in eval mode) for the predictor to learn from.
    return recalibrate_batchnorm(model, DataLoader(data, batch_size=ctx.train.batch_size), ctx.device)


def build_twin_pair(ctx: Context, original: nn.Module, twin: TwinSet, epochs: int, lr: float, replay: int,
                    gen: torch.Generator, stage: str = "tmu twin") -> tuple[nn.Module, nn.Module]:
    """(twin model, twin's gold model) for one twin set."""
    sx, sy = ctx.splits.tensors(twin.siblings)
    model = fine_tune_copy(ctx, original, torch.cat([twin.x, sx]), torch.cat([twin.y, sy]), epochs, lr, replay,
                           gen, stage)
    if len(twin.siblings) == 0:
        return model, original
    gold = fine_tune_copy(ctx, original, sx, sy, epochs, lr, replay, gen, f"{stage} gold")
    return model, gold


def generalization_labels(gold: nn.Module, task, x: torch.Tensor, y: torch.Tensor,
                          device: torch.device) -> torch.Tensor:
    """1 = hard (``gold`` gets the sample wrong), 0 = easy."""
    return (task.correct(predict_logits(gold, x, device), y) < 1).long()
