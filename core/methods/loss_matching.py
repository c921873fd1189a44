"""Held-out loss matching (ours): pull every forget sample's loss to the loss an unseen sample of the same
rank has, so the forget set ends up looking to the model like data it never trained on.

The gold model (retrained without the forget set) treats a forget sample like any unseen one: it gets
about as many right, with losses spread like unseen losses. The original model has memorised them: low
losses, near-perfect accuracy. So before any step, under the original model, this method reads the
per-sample losses of the forget set and of the ``unseen`` split (held-out images no model trained on;
identity-disjoint from train), ranks the forget samples by loss and gives each the unseen loss at the same
quantile as its target. Each step then takes ``CE(retain) + w · mean((CE_i(forget) − target_i)²)``: the
retain term keeps the task, the matching term pushes the easiest forget samples up only to a typical unseen
loss and the hardest ones past the decision boundary, as many as the original misclassifies among unseen
images. Gradient ascent (NegGrad) instead pushes every forget sample up until a cap, and its forget
accuracy falls as far as its steps take it, not to where the gold model's lies.

What it reads: ``forget``, ``retain`` and, once, the original model's losses on ``unseen``. The membership
attacks compare forget with those same unseen images, so a loss-based attack is the one this method is
built to defeat; the LiRA/RMIA attacks of the attack suite read per-sample evidence it does not target.
Not from a paper: TMU's aligned forgetting (forget as many as the gold model would) done by the losses
themselves instead of a trained easy/hard predictor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import torch

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.stepping import on_device
from core.params import param
from core.progress import poll
from core.training import iterate_forever


@dataclass
class LossMatchingParams:
    epochs: int = param(2, "passes over the forget set, each forget batch with a retain batch", min=1, max=200,
                        search=(1, 6, "int"))
    lr: float = param(0.01, "SGD learning rate, momentum 0.9", min=1e-6, max=1.0, search=(1e-3, 0.1, "log"))
    forget_weight: float = param(1.0, "w, the weight of the matching term against the retain loss", min=0.0,
                                 max=100.0, search=(0.3, 30.0, "log"))
    batch_size: int = param(0, "forget images per step (0 = the scenario's batch size); each step also takes a "
                                "retain batch of the scenario's size", min=0, max=4096)
    max_grad_norm: float = param(5.0, "clip each step's gradient norm to this (0 = no clipping)", min=0.0, max=1e6)


def per_sample_losses(ctx: Context, index: torch.Tensor) -> torch.Tensor:
    """The current model's task loss per image of ``index`` (eval mode, no autograd)."""
    model, task = ctx.model, ctx.splits.task
    model.eval()
    out = []
    with torch.no_grad():
        for x, y in ctx.splits.loader(index, 256):
            out.append(task.loss(model(x.to(ctx.device)), y.to(ctx.device), reduction="none").cpu())
    return torch.cat(out) if out else torch.zeros(0)


def matched_targets(forget_loss: torch.Tensor, unseen_loss: torch.Tensor) -> torch.Tensor:
    """Per forget sample, the unseen loss at the quantile of its own rank among the forget losses."""
    n = len(forget_loss)
    ranks = torch.argsort(torch.argsort(forget_loss)).double()
    return torch.quantile(unseen_loss.double(), (ranks + 0.5) / n).float()


@METHODS.register("loss_matching", "Held-out loss matching (ours): each forget sample's loss pulled to the unseen "
                                   "loss of the same rank")
class LossMatching(EpochMethod):
    Params = LossMatchingParams
    departures = ("not from a paper: ours; the targets read the original model's losses on the unseen split, the "
                  "non-members the loss-based membership attack also reads",)
    kinds = ("identities", "samples")

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        if len(ctx.splits.unseen) < 2:
            raise ValueError(f"loss_matching: the unseen split has {len(ctx.splits.unseen)} image(s); the targets "
                             "are unseen losses, so it needs held-out images (use more data or another method)")

    def setup(self, ctx: Context) -> torch.Tensor:
        """Each forget row's target loss (aligned with ``ctx.splits.forget``), read under the original model."""
        targets = matched_targets(per_sample_losses(ctx, ctx.splits.forget), per_sample_losses(ctx, ctx.splits.unseen))
        ctx.model.train()
        return targets

    def batches(self, ctx: Context, epoch: int) -> Iterator:
        """Shuffled forget batches carrying their positions (for the targets), each with a retain batch."""
        gen = torch.Generator().manual_seed(ctx.seed + epoch)
        forget = ctx.splits.forget
        order = torch.randperm(len(forget), generator=gen)
        retain = iterate_forever(ctx.loader("retain", shuffle=True, epoch=epoch))
        for pos in order.split(self.params.batch_size or ctx.train.batch_size):
            poll()
            xf, yf = on_device(ctx.splits.tensors(forget[pos]), ctx.device)
            yield (xf, yf, pos), on_device(next(retain), ctx.device)

    def loss(self, ctx: Context, targets: torch.Tensor, batch) -> torch.Tensor:
        (xf, yf, pos), (xr, yr) = batch
        model, task = ctx.model, ctx.splits.task
        per = task.loss(model(xf), yf, reduction="none")
        match = (per - targets[pos].to(per.device)).pow(2).mean()
        return task.loss(model(xr), yr) + self.params.forget_weight * match
