"""Guided backpropagation (captum) for any task head, as per-pixel saliency maps.

The feature-unlearning paper checks by eye that an unlearned model's guided-backprop map no longer
lights up the forgotten feature (the mouth, the nose). Here the maps are computed with captum's
``GuidedBackprop`` on a private copy of the model (captum hooks every ReLU, and in-place ReLUs
break its backward hooks, so the copy gets out-of-place ReLUs and a shared model is never touched),
and :func:`region_share` turns a map into a number: the share of its mass inside a region.
"""

from __future__ import annotations

import copy
import warnings

import torch
from torch import nn

from core.task import Task


def _hookable_copy(model: nn.Module, device: torch.device) -> nn.Module:
    """An eval-mode copy of ``model`` whose ReLUs are not in-place (captum needs that)."""
    clone = copy.deepcopy(model).to(device).eval()
    for m in clone.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    return clone


def _logit_targets(model: nn.Module, x: torch.Tensor, target: int | torch.Tensor | None,
                   task: Task | None, head: int) -> torch.Tensor:
    """Logit indices to explain: ``target`` is a class of ``head`` (None: the predicted class)."""
    if task is not None and not 0 <= head < len(task.columns):
        raise ValueError(f"guided_backprop: head {head} does not exist; the task has {len(task.columns)} "
                         f"head(s) ({', '.join(task.columns)})")
    offset = sum(task.num_classes[:head]) if task is not None else 0
    if target is None:
        with torch.no_grad():
            logits = model(x)
        part = task.heads(logits)[head] if task is not None else logits
        return part.argmax(1) + offset
    t = torch.as_tensor(target, dtype=torch.long, device=x.device)
    return (t.expand(len(x)) if t.ndim == 0 else t) + offset


def guided_backprop(model: nn.Module, images: torch.Tensor, target: int | torch.Tensor | None = None, *,
                    task: Task | None = None, head: int = 0, device: torch.device | str = "cpu",
                    batch_size: int = 64) -> torch.Tensor:
    """Guided-backprop attributions ``[n, C, H, W]`` (on CPU) for float images in [0, 1].

    ``target`` is the class to explain, one for all images or one per image; ``None`` explains each
    image's predicted class. With a multi-head ``task``, ``head`` picks the head the class belongs to;
    without a task, ``target`` indexes the logits directly.
    """
    from captum.attr import GuidedBackprop

    if images.ndim != 4:
        raise ValueError(f"guided_backprop: expected images [n, C, H, W], got shape {tuple(images.shape)}")
    device = torch.device(device)
    net = _hookable_copy(model, device)
    explainer = GuidedBackprop(net)
    per_image = torch.is_tensor(target) and torch.as_tensor(target).ndim > 0
    out = []
    for i in range(0, len(images), batch_size):
        x = images[i : i + batch_size].to(device).float()
        t = target[i : i + batch_size] if per_image else target
        idx = _logit_targets(net, x, t, task, head)
        with warnings.catch_warnings():  # captum warns that it hooks ReLUs; that is the point here
            warnings.filterwarnings("ignore", message="Setting backward hooks on ReLU")
            out.append(explainer.attribute(x.requires_grad_(True), target=idx).detach().cpu())
    return torch.cat(out) if out else images.new_zeros(images.shape, dtype=torch.float)


def saliency(attributions: torch.Tensor) -> torch.Tensor:
    """Per-pixel saliency ``[n, H, W]``: the largest |attribution| over channels, scaled to [0, 1] per image."""
    sal = attributions.abs().amax(1)
    peak = sal.flatten(1).amax(1).clamp_min(1e-12)
    return sal / peak[:, None, None]


def region_share(maps: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Share of each non-negative map's mass ``[n, H, W]`` that lies inside its bool mask ``[n, H, W]``."""
    if maps.shape != masks.shape:
        raise ValueError(f"region_share: maps {tuple(maps.shape)} and masks {tuple(masks.shape)} differ in shape")
    maps = maps.clamp_min(0).flatten(1)
    inside = (maps * masks.flatten(1).float()).sum(1)
    return inside / maps.sum(1).clamp_min(1e-12)
