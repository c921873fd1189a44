"""Random Labeling (relabelling, as in Graves et al. "Amnesiac Machine Learning"): fine-tune on the
forget set with uniformly random labels together with the retain set with its true labels.

One epoch is one pass over the forget set; each forget batch (random labels, one per task head) is
joined with the next batch of a cycling retain loader into one step, so the cost scales with the
forget set, not the whole training set.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.stepping import forget_with_retain
from core.params import param


@dataclass
class RandomLabelsParams:
    epochs: int = param(2, "passes over the forget set, each forget batch with a retain batch", min=1, max=200,
                        search=(1, 8, "int"))
    lr: float = param(0.001, "SGD learning rate, momentum 0.9 (0.01 wrecks test accuracy on synthetic faces)",
                      min=1e-6, max=1.0, search=(1e-4, 0.02, "log"))
    max_grad_norm: float = param(5.0, "clip each step's gradient norm to this (0 = off): a confidently known face "
                                      "with a random label gives a huge loss, and unclipped steps can wreck the model",
                                 min=0.0, max=1e6)


def forget_targets(task, y_forget: torch.Tensor) -> torch.Tensor:
    """The labels a forget batch is trained towards: uniformly random, one per task head (the relabelling)."""
    return task.random_labels(len(y_forget)).to(y_forget.device)


@METHODS.register("random_labels", "Random Labeling: fine-tune with random labels on forget, true labels on retain")
class RandomLabels(EpochMethod):
    Params = RandomLabelsParams
    departures = ("each step's gradient norm is clipped to max_grad_norm (the paper: no clipping)", "one epoch is one pass over the forget set, each forget batch joined with a retain batch (the cost scales with the forget set)")

    def batches(self, ctx: Context, epoch: int):
        return forget_with_retain(ctx, epoch)

    def loss(self, ctx: Context, state: None, batch) -> torch.Tensor:
        (xf, yf), (xr, yr) = batch
        task = ctx.splits.task
        return task.loss(ctx.model(torch.cat([xf, xr])), torch.cat([forget_targets(task, yf), yr]))
