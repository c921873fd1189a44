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

from core.progress import Progress, silent
from core.task import Task


class DivergedError(RuntimeError):
    """The loss became NaN or infinite; the message says which step and what to try."""


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
        raise DivergedError(f"{where}: the loss became {loss.item()}; lower the learning rate or the number of steps")


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
            check_finite(loss, f"{stage} epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total, count = total + loss.item() * len(x), count + len(x)
        metrics = (on_epoch(epoch) if on_epoch else None) or {}
        progress(epoch + 1, epochs, stage=stage, loss=total / max(count, 1), **metrics)
    return model


@torch.no_grad()
def predict_logits(model: nn.Module, x: torch.Tensor, device: torch.device, batch_size: int = 512) -> torch.Tensor:
    """Logits for a float image tensor, in eval mode, on CPU."""
    model.eval().to(device)
    return torch.cat([model(x[i : i + batch_size].to(device)).float().cpu() for i in range(0, len(x), batch_size)])


@torch.no_grad()
def map_batches(fn: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, device: torch.device,
                batch_size: int = 512) -> torch.Tensor:
    """Apply ``fn`` to ``x`` in batches on ``device``; results on CPU."""
    return torch.cat([fn(x[i : i + batch_size].to(device)).float().cpu() for i in range(0, len(x), batch_size)])


def copy_model(model: nn.Module) -> nn.Module:
    return copy.deepcopy(model)


def save_checkpoint(model: nn.Module, path: Path) -> str:
    """Save the state dict (atomic rename) and return its sha256, for audit reports."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, tmp)
    tmp.replace(path)
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
    for x, *_ in loader:
        model(x.to(device))
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    return model.eval()
