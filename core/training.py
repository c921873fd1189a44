"""Training and evaluation loops, device selection, seeding, checkpoints.

Every method and metric trains or scores through these few functions, so device placement,
AMP-free determinism and divergence checks live in one place.
"""

from __future__ import annotations

import copy
import hashlib
import math
import random
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader

from core.paths import atomic_write
from core.progress import Progress, poll, silent
from core.task import Task


class Diverged(RuntimeError):
    """Training diverged (the loss became NaN or infinite, or exploded far above chance, or a weight
    stopped being finite): the run ends failed with this message, which says where and what to lower."""


DivergedError = Diverged  # the earlier name, kept for imports
EXPLOSION = 100.0  # an epoch's mean loss this many times the chance loss (Σ ln C) means the model blew up

_STAGE_WORDS = {"train": ("training", "train.lr"), "original": ("the original model's training", "train.lr"),
                "gold": ("the gold model's training", "train.lr")}


def _where(stage: str, epoch: int, epochs: int | None = None) -> tuple[str, str]:
    """("epoch 2 of the original model's training", "train.lr") for a stage; methods name their own."""
    words, knob = _STAGE_WORDS.get(stage, (stage, "the method's lr (method.params)"))
    of = f" of {epochs}" if epochs else ""
    return f"epoch {epoch}{of} of {words}", knob


def pick_device(requested: str = "auto") -> torch.device:
    """``auto`` picks cuda, then mps, then cpu; an explicit device must exist."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError("device: 'cuda' was asked for but no CUDA GPU is available; use 'auto' or 'cpu'")
    if requested == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ValueError("device: 'mps' was asked for but is not available; use 'auto' or 'cpu'")
    return torch.device(requested)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def check_finite(loss: torch.Tensor, where: str) -> None:
    if not torch.isfinite(loss):
        raise Diverged(f"{where}: the loss became {loss.item()}; lower the learning rate or the number of steps")


def check_weights(model: nn.Module, where: str) -> None:
    """Raise Diverged when any weight is NaN or infinite (a method whose loss stayed finite can still
    push a weight there, and every score after would be nonsense)."""
    for name, p in model.named_parameters():
        if not bool(torch.isfinite(p).all()):
            raise Diverged(f"{where}: weight {name} became NaN or infinite; lower the learning rate")


def check_epoch_loss(mean_loss: float, task: Task, stage: str, epoch: int, epochs: int, lr: float) -> None:
    """Supervised training should sit near or below the chance loss; far above it the model diverged
    (``lr: 1e6`` kept a finite loss of 1e13 and "succeeded" with test accuracy 0)."""
    chance = sum(math.log(c) for c in task.num_classes if c > 1) or 1.0
    if not math.isfinite(mean_loss) or mean_loss > EXPLOSION * chance:
        where, knob = _where(stage, epoch, epochs)
        raise Diverged(f"loss became {mean_loss:.3g} at {where} (lr {lr:g}; chance is {chance:.2f}); lower {knob}")


def train_epochs(model: nn.Module, loader: DataLoader, task: Task, epochs: int, lr: float,
                 device: torch.device, progress: Progress = silent, stage: str = "train",
                 on_epoch: Callable[[int], dict] | None = None, weight_decay: float = 5e-4) -> nn.Module:
    """Plain supervised training with Adam; ``on_epoch(epoch)`` may return live metrics to report."""
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    for epoch in range(epochs):
        model.train()
        total, count = 0.0, 0
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            loss = task.loss(model(x), y)
            if not torch.isfinite(loss):
                where, knob = _where(stage, epoch + 1, epochs)
                raise Diverged(f"loss became {loss.item()} at {where} (lr {lr:g}); lower {knob}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total, count = total + loss.item() * len(x), count + len(x)
            poll()  # a cancel waits for one batch, not one epoch
        check_epoch_loss(total / max(count, 1), task, stage, epoch + 1, epochs, lr)
        metrics = (on_epoch(epoch) if on_epoch else None) or {}
        progress(epoch + 1, epochs, stage=stage, loss=total / max(count, 1), **metrics)
    return model


@torch.no_grad()
def predict_logits(model: nn.Module, x: torch.Tensor, device: torch.device, batch_size: int = 512) -> torch.Tensor:
    """Logits for a float image tensor, in eval mode, on CPU."""
    model.eval().to(device)
    return map_batches(model, x, device, batch_size)


@torch.no_grad()
def map_batches(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, device: torch.device,
                batch_size: int = 512) -> torch.Tensor:
    """Apply ``fn`` to ``x`` in batches on ``device``; results on CPU."""
    out = []
    for i in range(0, len(x), batch_size):
        poll()  # scoring a large split stops within one batch of a cancel
        out.append(fn(x[i : i + batch_size].to(device)).float().cpu())
    return torch.cat(out)


def copy_model(model: nn.Module) -> nn.Module:
    return copy.deepcopy(model)


def save_checkpoint(model: nn.Module, path: Path) -> str:
    """Save the state dict (atomic rename) and return its sha256, for audit reports."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    atomic_write(path, lambda tmp: torch.save(state, tmp))  # a temporary name of its own, then os.replace
    return file_sha256(path)


def load_checkpoint(model: nn.Module, path: Path) -> nn.Module:
    """Load weights saved by :func:`save_checkpoint`; never unpickles arbitrary objects."""
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def iterate_forever(loader: Iterable) -> Iterable:
    """Cycle a loader (for methods pairing a small forget loader with a large retain one)."""
    while True:
        yield from loader


def epochs_for(steps: int, per_epoch: int) -> int:
    return max(1, math.ceil(steps / max(per_epoch, 1)))


@torch.no_grad()
def recalibrate_batchnorm(model: nn.Module, loader: DataLoader, device: torch.device) -> nn.Module:
    """Re-estimate batch-norm running statistics as plain averages over ``loader``'s images.

    Training uses each batch's own statistics; eval mode uses running averages that lag behind
    weights that moved fast (a short fine-tune, gradient ascent, an epoch or two from scratch).
    A model left with stale averages mispredicts in eval mode — which a membership attack then
    reads as "forgotten". Only the BN buffers change, never a weight. Returns the model in eval mode.
    """
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return model.eval()
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    model.train()
    with torch.no_grad():  # statistics only: building the autograd graph would cost time and memory for nothing
        for x, *_ in loader:
            poll()
            model(x.to(device))
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    return model.eval()
