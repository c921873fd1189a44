"""Retrain: train a fresh model on the retain set alone — the gold standard every method is judged by."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from core.methods.base import METHODS, Context, Method
from core.methods.finetune import finetune_on
from core.params import param


@dataclass
class RetrainParams:
    epochs: int = param(0, "training epochs (0 = the same as the original model's)", min=0, max=500)
    lr: float = param(0.0, "learning rate (0 = the same as the original model's)", min=0.0, max=1.0)


@METHODS.register("retrain", "Retrain from scratch on the retain set (the gold model; slow but exact)")
class Retrain(Method):
    Params = RetrainParams

    def unlearn(self, ctx: Context) -> nn.Module:
        epochs = self.params.epochs or ctx.train.epochs
        lr = self.params.lr or ctx.train.lr
        return finetune_on(ctx.fresh_model(), ctx, "retain", epochs, lr)
