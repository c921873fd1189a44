"""UNSIR as the MUFAC/MUCAC paper adjusts it for task-agnostic (identity) unlearning.

Original UNSIR (Tarun et al.) learns error-maximising noise for a class to forget. With no class to
forget, the paper instead learns noise whose logits are as far as possible from the forget batch's
logits, ``argmax_noise ‖F(noise) − F(x_forget)‖² − r(noise)``, with ``r`` a pixel-magnitude
penalty. Impair: the model trains on that noise labelled with a retain batch's labels, together
with the retain batch itself. Repair: ordinary fine-tuning on the retain set.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.methods.base import METHODS, Context
from core.methods.epoch import EpochMethod
from core.methods.stepping import batches, forget_with_retain
from core.params import param


@dataclass
class UnsirParams:
    impair_epochs: int = param(2, "impair passes over the forget set, each forget batch with a retain batch "
                                  "(paper's code: 2)", min=1, max=100, search=(1, 4, "int"))
    repair_epochs: int = param(1, "repair passes over the retain set (paper's code: 1)", min=0, max=100, search=(0, 3, "int"))
    lr: float = param(0.01, "SGD learning rate, momentum 0.9 (paper's code: 0.001 on ResNet-18 with ~130 steps "
                            "per epoch; our small sets give ~20, so 10x larger)", min=1e-6, max=1.0,
                      search=(1e-3, 0.05, "log"))
    noise_steps: int = param(5, "Adam steps that push each noise batch away from the forget batch (paper's code: 5)",
                             min=1, max=1000)
    noise_lr: float = param(0.01, "Adam learning rate of the noise (paper's code: 0.01)", min=1e-6, max=10.0)
    noise_reg: float = param(0.1, "weight of r(noise) = mean squared pixel value, which keeps the noise bounded "
                                  "(UNSIR: 0.1)", min=0.0, max=100.0)


def far_noise(model: nn.Module, x_forget: torch.Tensor, p: UnsirParams) -> torch.Tensor:
    """Noise images in [0, 1] whose logits are pushed away from the forget batch's.

    Projected steps: the noise starts uniform in the image range and is clamped back after every
    step, so the images the model trains on are the ones that were optimised (clamping only at the
    end would train on different images).
    """
    was_training = model.training
    model.eval()
    with torch.no_grad():
        target = model(x_forget)
    noise = torch.rand_like(x_forget).requires_grad_(True)
    opt = torch.optim.Adam([noise], lr=p.noise_lr)
    for _ in range(p.noise_steps):
        loss = -F.mse_loss(model(noise), target) + p.noise_reg * noise.pow(2).mean()
        (grad,) = torch.autograd.grad(loss, noise)
        noise.grad = grad
        opt.step()
        with torch.no_grad():
            noise.clamp_(0.0, 1.0)
    model.train(was_training)
    return noise.detach()


def impair_loss(model: nn.Module, task, xf: torch.Tensor, xr: torch.Tensor, yr: torch.Tensor,
                p: UnsirParams) -> torch.Tensor:
    """One impair step's loss: noise far from the forget batch, labelled with the retain batch's
    labels, plus the retain batch itself (the noise term is what makes UNSIR forget)."""
    n = min(len(xf), len(xr))
    noise = far_noise(model, xf[:n], p)
    return task.loss(model(noise), yr[:n]) + task.loss(model(xr), yr)


@METHODS.register("unsir", "UNSIR (paper's adjustment): train on noise far from the forget set, then repair")
class Unsir(EpochMethod):
    Params = UnsirParams

    def epochs(self) -> int:
        """The impair epochs, then the repair epochs."""
        return self.params.impair_epochs + self.params.repair_epochs

    def impairing(self, epoch: int) -> bool:
        return epoch < self.params.impair_epochs

    def batches(self, ctx: Context, epoch: int):
        """Impair: ``("impair", (forget, retain))`` for each forget batch with a retain batch; repair:
        ``("repair", batch)`` for one pass over the retain set."""
        if self.impairing(epoch):
            return (("impair", pair) for pair in forget_with_retain(ctx, epoch))
        return (("repair", b) for b in batches(ctx, "retain", epoch))

    def loss(self, ctx: Context, state: None, batch) -> torch.Tensor:
        """Impair: :func:`impair_loss`; repair: the retain batch's loss (plain fine-tuning)."""
        (phase, data), model, task = batch, ctx.model, ctx.splits.task
        if phase == "impair":
            (xf, _), (xr, yr) = data
            return impair_loss(model, task, xf, xr, yr, self.params)
        x, y = data
        return task.loss(model(x), y)

    def report_extra(self, epoch: int) -> dict[str, float]:
        """``phase``: 0 for an impair epoch, 1 for a repair epoch (the run panel shows where it is)."""
        return {"phase": 0.0 if self.impairing(epoch) else 1.0}
