"""Aligned relabelling (ours, after Twin Machine Unlearning's aligned removal): unlearn exactly as many forget
samples as the gold model would miss, the ones it would most likely miss, towards what it would most likely say.

The gold model (retrained without the forget set) gets a forget sample about as often right as an unseen one;
the original has memorised them. So, once, under the original model: ``k`` = the forget set's size times the
share of the ``unseen`` split (held-out images, identity-disjoint from train) the original gets wrong; the ``k``
forget samples with the smallest margin (true-class logit minus the best other) are the ones to unlearn, each
relabelled to its runner-up class. Each step trains on a batch of those relabelled samples together with a
retain batch (true labels), each relabelled sample's loss weighted by ``relabel_weight`` in the batch mean.
The other forget samples get no loss of their own: they are neither pushed nor re-memorised, unless
``soften_weight`` > 0: then each step also raises their loss up to a typical unseen loss (the original's
median loss on the unseen images it classifies right), so they stop standing out to a membership attack by a
memorised, near-zero loss. TMU predicts the gold model's misses with a predictor trained on a twin problem;
here the original's margin is the predictor and its unseen error rate the count, so the method costs a few
steps.

What it reads: ``forget``, ``retain`` and one number from ``unseen`` (the original's accuracy there).
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
from core.training import iterate_forever, predict_logits


@dataclass
class AlignedRelabelParams:
    epochs: int = param(1, "rounds of steps (each `steps` steps)", min=1, max=200, search=(1, 3, "int"))
    steps: int = param(10, "steps per round, each a batch of the relabelled samples with a retain batch", min=1,
                       max=10000, search=(2, 40, "int"))
    lr: float = param(0.01, "SGD learning rate, momentum 0.9", min=1e-6, max=1.0, search=(1e-3, 0.1, "log"))
    relabel_weight: float = param(1.0, "weight of each relabelled sample's loss in the step's mean, a retain "
                                       "sample's being 1 (lower: gentler on the task)", min=0.0, max=100.0,
                                  search=(0.1, 3.0, "log"))
    soften_weight: float = param(0.0, "weight of a term that raises the other forget samples' loss up to the "
                                      "original's median loss on the unseen images it gets right, no further (0 = "
                                      "off: they get no loss of their own)", min=0.0, max=100.0,
                                 search=(0.0, 3.0, "linear"))
    max_grad_norm: float = param(5.0, "clip each step's gradient norm to this (0 = no clipping)", min=0.0, max=1e6)


@dataclass
class Plan:
    """The decision made once under the original: ``rows`` to relabel to ``labels``; the ``kept`` forget rows and
    the loss ``floor`` the softening term raises them to."""

    rows: torch.Tensor
    labels: torch.Tensor
    kept: torch.Tensor
    floor: float


def logits_of(ctx: Context, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The current model's logits (eval mode, no autograd) and the labels of the images at ``index``."""
    x, y = ctx.splits.tensors(index)
    return predict_logits(ctx.model, x, ctx.device), y


def relabel_plan(forget_logits: torch.Tensor, y: torch.Tensor,
                 unseen_acc: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(positions to relabel, their runner-up labels): the ``round(n·(1 − unseen_acc))`` smallest-margin samples."""
    n = len(y)
    k = max(0, min(n, round(n * (1.0 - unseen_acc))))
    true = forget_logits.gather(1, y[:, :1]).squeeze(1)
    others = forget_logits.scatter(1, y[:, :1], float("-inf"))
    margin = true - others.max(1).values
    pos = torch.argsort(margin)[:k]
    return pos, others[pos].argmax(1, keepdim=True)


@METHODS.register("aligned_relabel", "Aligned relabelling (ours, after TMU): as many forget samples as the gold "
                                     "model would miss, relabelled to their runner-up class")
class AlignedRelabel(EpochMethod):
    Params = AlignedRelabelParams
    departures = ("not from a paper: ours, after TMU's aligned removal; the count reads the original model's "
                  "accuracy on the unseen split, and the original's margin stands in for TMU's predictor",)
    kinds = ("identities", "samples")
    multi_label = False

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        if len(ctx.splits.unseen) < 10:
            raise ValueError(f"aligned_relabel: the unseen split has {len(ctx.splits.unseen)} image(s); the count "
                             "of samples to unlearn is read there, so it needs held-out images (use more data)")

    def setup(self, ctx: Context) -> Plan:
        """What to relabel (and the floor for the others), decided once under the original model."""
        task = ctx.splits.task
        unseen_logits, unseen_y = logits_of(ctx, ctx.splits.unseen)
        right = task.correct(unseen_logits, unseen_y).bool()
        unseen_acc = float(right.float().mean())
        losses = task.loss(unseen_logits[right], unseen_y[right], reduction="none")
        floor = float(losses.median()) if right.any() else 0.0
        forget_logits, y = logits_of(ctx, ctx.splits.forget)
        pos, labels = relabel_plan(forget_logits, y, unseen_acc)
        kept = torch.ones(len(y), dtype=torch.bool)
        kept[pos] = False
        ctx.artifacts["aligned_relabel"] = {"unseen_acc": unseen_acc, "relabelled": len(pos), "forget": len(y),
                                            "loss_floor": floor}
        ctx.model.train()
        self._plan = Plan(ctx.splits.forget[pos], labels, ctx.splits.forget[kept], floor)
        return self._plan  # batches() reads it too: the epoch loop hands state only to loss()

    def batches(self, ctx: Context, epoch: int) -> Iterator:
        """``steps`` items: a batch of the relabelled rows with the next retain batch and, when softening, a
        batch of the other forget rows (None otherwise)."""
        plan, size = self._plan, ctx.train.batch_size
        retain = iterate_forever(ctx.loader("retain", shuffle=True, epoch=epoch))
        gen = torch.Generator().manual_seed(ctx.seed + epoch)
        soften = self.params.soften_weight > 0 and len(plan.kept) > 0
        for _ in range(self.params.steps):
            poll()
            pick = torch.randperm(len(plan.rows), generator=gen)[:size]
            x, _ = ctx.splits.tensors(plan.rows[pick])
            kept = plan.kept[torch.randperm(len(plan.kept), generator=gen)[:size]] if soften else None
            yield ((x.to(ctx.device), plan.labels[pick].to(ctx.device)), on_device(next(retain), ctx.device),
                   None if kept is None else on_device(ctx.splits.tensors(kept), ctx.device))

    def loss(self, ctx: Context, plan: Plan, batch) -> torch.Tensor:
        (xf, yf), (xr, yr), kept = batch
        task, model = ctx.splits.task, ctx.model
        per = task.loss(model(torch.cat([xf, xr])), torch.cat([yf, yr]), reduction="none")
        weight = torch.ones_like(per)
        weight[: len(xf)] = self.params.relabel_weight
        loss = (weight * per).mean()  # one batch's mean; relabel_weight = 1: relabelled and retain samples alike
        if kept is None:
            return loss
        xk, yk = kept
        below = (plan.floor - task.loss(model(xk), yk, reduction="none")).clamp(min=0)  # raised up to the floor only
        return loss + self.params.soften_weight * below.mean()
