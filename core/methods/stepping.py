"""The optimisation step and batch pairing the identity-unlearning methods share (the loop that
takes these steps epoch by epoch is ``core.methods.epoch.EpochMethod``).

``Stepper`` owns one optimiser and does what every step needs: the divergence check (a NaN or
infinite loss raises ``Diverged`` naming the method, epoch and learning rate), optional gradient clipping,
and the update. ``forget_with_retain`` yields each forget batch next to a retain batch (the retain
loader cycles), the pairing Advanced NegGrad, UNSIR and Random Labeling use in the paper's code.
"""

from __future__ import annotations

from typing import Iterable, Iterator

import torch
from torch import nn

from core.methods.base import Context
from core.progress import poll
from core.training import Diverged, iterate_forever

Batch = tuple[torch.Tensor, torch.Tensor]


def make_optimizer(params: Iterable[torch.nn.Parameter], lr: float, kind: str = "sgd",
                   momentum: float = 0.9, weight_decay: float = 5e-4) -> torch.optim.Optimizer:
    """SGD with momentum (the paper's optimiser) or Adam (what our reference models train with)."""
    params = [p for p in params if p.requires_grad]
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    raise ValueError(f"optimizer {kind!r} is not known; allowed: sgd, adam")


class Stepper:
    """One optimiser plus the checks around each update."""

    def __init__(self, model: nn.Module, lr: float, where: str, kind: str = "sgd", max_grad_norm: float = 0.0,
                 params: Iterable[torch.nn.Parameter] | None = None) -> None:
        self.model = model
        self.params = [p for p in (model.parameters() if params is None else params) if p.requires_grad]
        self.opt = make_optimizer(self.params, lr, kind)
        self.where = where
        self.lr = lr
        self.max_grad_norm = max_grad_norm
        self.epoch = 0
        self._sum, self._count = 0.0, 0

    def __call__(self, loss: torch.Tensor) -> float:
        """Check, back-propagate and update; returns the loss value."""
        poll()  # every method step can be where a cancel lands
        if not torch.isfinite(loss):
            raise Diverged(f"{self.where} epoch {self.epoch + 1}: the loss became {loss.item()} (lr {self.lr:g}); "
                           "lower the method's learning rate (method.params) or the number of steps")
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.max_grad_norm > 0:
            torch.nn.utils.clip_grad_norm_(self.params, self.max_grad_norm)
        self.opt.step()
        value = float(loss.detach())
        self._sum, self._count = self._sum + value, self._count + 1
        return value

    def end_epoch(self) -> float:
        """Mean loss over the epoch's steps (nan when there were none); starts the next epoch."""
        mean = self._sum / self._count if self._count else float("nan")
        self._sum, self._count = 0.0, 0
        self.epoch += 1
        return mean


def on_device(batch: Batch, device: torch.device) -> Batch:
    x, y = batch
    return x.to(device, non_blocking=True), y.to(device, non_blocking=True)


def forget_with_retain(ctx: Context, epoch: int, batch_size: int | None = None) -> Iterator[tuple[Batch, Batch]]:
    """Each forget batch (one pass) with the next batch of a cycling, shuffled retain loader."""
    retain = iterate_forever(ctx.loader("retain", shuffle=True, batch_size=batch_size, epoch=epoch))
    for forget in ctx.loader("forget", shuffle=True, batch_size=batch_size, epoch=epoch):
        poll()  # a cancel waits for one batch, not one epoch
        yield on_device(forget, ctx.device), on_device(next(retain), ctx.device)


def batches(ctx: Context, split: str | torch.Tensor, epoch: int, batch_size: int | None = None) -> Iterator[Batch]:
    """One shuffled pass over a split, on the context's device."""
    for batch in ctx.loader(split, shuffle=True, batch_size=batch_size, epoch=epoch):
        poll()  # a cancel waits for one batch, not one epoch
        yield on_device(batch, ctx.device)
