"""Advanced NegGrad (the MUFAC/MUCAC paper's adjustment): in every step, the retain batch's loss
minus the forget batch's loss, ``CE(retain) − α·CE(forget)``, so the model keeps its task while the
forget set is pushed away. One epoch is one pass over the forget set, each forget batch paired with
the next retain batch (the paper's code zips the two loaders); the forget term has NegGrad's
ceiling so the ascent cannot run away.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.objectives import capped_ascent, chance_loss
from core.methods.stepping import forget_with_retain
from core.params import param


# Defaults re-derived by tuning (`unlearn bench tuned`, 30 Optuna trials, validation seeds 1000-1001 of
# Fashion-MNIST and of the synthetic faces): the two tuned settings and their midpoint were scored on both
# data kinds' validation views, and the midpoint had the lowest mean distance to gold (0.122, against
# 0.452 for the earlier defaults epochs=2, lr=0.005, forget_weight=1, loss_cap=1). No test split was read.
@dataclass
class AdvancedNegGradParams:
    epochs: int = param(1, "passes over the forget set, each forget batch with a retain batch (paper's code: 2; "
                           "tuned: 1 fits in a tenth of retraining's time)",
                        min=1, max=200, search=(1, 10, "int"))
    lr: float = param(0.05, "SGD learning rate, momentum 0.9 (paper's code: 0.001 with ~24 forget batches per "
                            "epoch; a few people give us ~4, and one epoch must move the model)", min=1e-6, max=1.0,
                      search=(1e-3, 0.1, "log"))
    forget_weight: float = param(0.75, "α, the weight of the forget term (paper: 1)", min=0.0, max=100.0,
                                 search=(0.1, 3.0, "log"))
    loss_cap: float = param(0.8, "a forget sample stops being pushed once its loss exceeds this multiple of the "
                                 "chance-level loss (0 = no ceiling, as in the paper)", min=0.0, max=100.0,
                          search=(0.25, 4.0, "log"))
    max_grad_norm: float = param(5.0, "clip each step's gradient norm to this (0 = no clipping)", min=0.0, max=1e6)


@METHODS.register("advanced_neggrad", "Advanced NegGrad: CE(retain) − CE(forget) in the same step")
class AdvancedNegGrad(EpochMethod):
    Params = AdvancedNegGradParams
    departures = ("the forget term has NegGrad's loss cap and the gradient norm is clipped (the paper: neither)", "one epoch at SGD lr 0.05 with α = 0.75, not the paper code's two epochs at 0.001 with α = 1: tuned toward the gold model on validation seeds of two data kinds (see the defaults' comment)")

    def setup(self, ctx: Context) -> float:
        """The forget term's loss cap in nats: ``loss_cap`` times the chance-level loss of the task."""
        return self.params.loss_cap * chance_loss(ctx.splits.task)

    def batches(self, ctx: Context, epoch: int):
        return forget_with_retain(ctx, epoch)

    def loss(self, ctx: Context, cap: float, batch) -> torch.Tensor:
        (xf, yf), (xr, yr) = batch
        model, task = ctx.model, ctx.splits.task
        return task.loss(model(xr), yr) + self.params.forget_weight * capped_ascent(task, model(xf), yf, cap)
