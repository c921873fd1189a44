"""NegGrad (Golatkar et al.): gradient ascent on the forget set's loss, nothing on the retain set.

Unbounded ascent diverges (the paper's NegGrad loses a third of its test accuracy on MUFAC and
collapses on MUCAC), so two guards are on by default and can be switched off for the paper's exact
behaviour: each sample stops pushing once its loss passes ``loss_cap`` times the chance-level loss
(``Σ ln C`` over heads), and the gradient norm is clipped. A NaN/inf loss still raises DivergedError.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.objectives import capped_ascent, chance_loss
from core.params import param


@dataclass
class NegGradParams:
    epochs: int = param(2, "passes over the forget set (paper's code: 2)", min=1, max=100, search=(1, 8, "int"))
    lr: float = param(0.001, "SGD learning rate, momentum 0.9 (paper's code: 0.001)", min=1e-6, max=1.0,
                      search=(1e-4, 0.05, "log"))
    loss_cap: float = param(1.0, "a forget sample stops being pushed once its loss exceeds this multiple of the "
                                 "chance-level loss (0 = no ceiling, the paper's unbounded ascent)", min=0.0, max=100.0,
                          search=(0.25, 4.0, "log"))
    max_grad_norm: float = param(5.0, "clip each step's gradient norm to this (0 = no clipping, as in the paper)",
                                 min=0.0, max=1e6)


@METHODS.register("neggrad", "NegGrad: gradient ascent on the forget set (bounded so it cannot diverge)")
class NegGrad(EpochMethod):
    Params = NegGradParams
    departures = ("each forget sample stops being pushed once its loss passes loss_cap x the chance-level loss, and each step's gradient norm is clipped to max_grad_norm (the paper: unbounded ascent, no clipping; loss_cap=0 max_grad_norm=0 restore it)",)

    def setup(self, ctx: Context) -> float:
        """The loss cap in nats: ``loss_cap`` times the chance-level loss of the task."""
        return self.params.loss_cap * chance_loss(ctx.splits.task)

    def loss(self, ctx: Context, cap: float, batch) -> torch.Tensor:
        x, y = batch
        return capped_ascent(ctx.splits.task, ctx.model(x), y, cap)
