"""Fine-tuning: keep training the original model on the retain set only (catastrophic forgetting)."""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from core.methods.base import METHODS, Context, Method
from core.params import param
from core.training import train_epochs


@dataclass
class FinetuneParams:
    epochs: int = param(3, "passes over the retain set", min=1, max=200, search=(1, 6, "int"))
    lr: float = param(1e-3, "Adam learning rate", min=1e-6, max=1.0, search=(1e-4, 1e-2, "log"))


def finetune_on(model: nn.Module, ctx: Context, split, epochs: int, lr: float) -> nn.Module:
    """Train ``model`` on ``split`` with Adam, reporting live metrics after each epoch."""
    return train_epochs(model, ctx.loader(split), ctx.splits.task, epochs, lr, ctx.device,
                        stage="fine-tuning", on_epoch=lambda e: ctx.report(e + 1, epochs, model))


@METHODS.register("finetune", "Fine-tuning: continue training on the retain set only")
class Finetune(Method):
    Params = FinetuneParams

    def unlearn(self, ctx: Context) -> nn.Module:
        return finetune_on(ctx.model, ctx, "retain", self.params.epochs, self.params.lr)
