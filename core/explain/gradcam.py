"""GradCAM maps through captum's ``LayerGradCam``: where a layer's evidence for a class lies.

Used by the attribute baseline that erases the attribute's area, and by the saliency audit. The
function takes any module (a SplitModel, an attribute classifier) and any layer of it; ``forward``
overrides what is differentiated (e.g. one head of a multi-head model), ``target`` picks the class.
captum attaches hooks to the layer, so calls on one shared model are serialised by a lock.
"""

from __future__ import annotations

import threading
from typing import Callable, Sequence

import torch
from captum.attr import LayerAttribution, LayerGradCam
from torch import nn

_HOOKS = threading.Lock()  # captum hooks on a model shared between threads must not interleave


def last_conv(model: nn.Module) -> nn.Conv2d:
    """The last ``nn.Conv2d`` in module order: GradCAM's usual layer (highest-level spatial map)."""
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ValueError(f"{type(model).__name__} has no Conv2d layer; pass `layer=` explicitly for GradCAM")
    return convs[-1]


def _targets(target: int | Sequence[int] | torch.Tensor, n: int) -> torch.Tensor:
    t = torch.as_tensor(target, dtype=torch.long).flatten()
    if t.numel() == 1:
        return t.expand(n).clone()
    if t.numel() != n:
        raise ValueError(f"gradcam: {t.numel()} targets for {n} images; give one class or one per image")
    return t


def gradcam(model: nn.Module, x: torch.Tensor, target: int | Sequence[int] | torch.Tensor,
            layer: nn.Module | None = None, *, device: torch.device | str = "cpu",
            forward: Callable[[torch.Tensor], torch.Tensor] | None = None, batch_size: int = 64,
            upsample: bool = True, normalize: bool = True) -> torch.Tensor:
    """GradCAM of ``layer`` (default: the last conv) for class ``target`` on images ``x`` ``[N, C, H, W]``.

    ``target`` is one class index for all images or one per image (an index into ``forward``'s
    output, which defaults to ``model``). Returns ``[N, H, W]`` (``[N, h, w]`` at the layer's own
    resolution when ``upsample`` is False), ReLU'd and, when ``normalize``, scaled per image to [0, 1].
    The model is evaluated in eval mode and its mode is restored afterwards.
    """
    layer = last_conv(model) if layer is None else layer
    targets = _targets(target, len(x))
    was_training = model.training
    model.eval().to(device)
    cam = LayerGradCam(forward or model, layer)
    out = []
    try:
        with _HOOKS, torch.enable_grad():
            for i in range(0, len(x), batch_size):
                xb = x[i : i + batch_size].to(device)
                attr = cam.attribute(xb, target=targets[i : i + batch_size].to(device), relu_attributions=True)
                if upsample:
                    attr = LayerAttribution.interpolate(attr, tuple(x.shape[-2:]), "bilinear")
                out.append(attr.detach().float().cpu()[:, 0])
    finally:
        model.train(was_training)
    maps = torch.cat(out) if out else torch.zeros(0, *x.shape[-2:])
    return normalize_maps(maps) if normalize else maps


def normalize_maps(maps: torch.Tensor) -> torch.Tensor:
    """Scale each map to [0, 1] by its own maximum (an all-zero map stays zero)."""
    peak = maps.flatten(1).amax(1).clamp_min(1e-12).view(-1, *([1] * (maps.ndim - 1)))
    return (maps / peak).clamp_(0, 1)
