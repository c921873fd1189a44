"""Feature inversion: a decoder trained to rebuild the image x from the split-point features h.

What a decoder can rebuild from h is what h still holds about x. The attribute audit trains one
decoder on the frozen original model and one on the unlearned model and shows the two
reconstructions beside the input (the representation-detachment paper's Figure 4): an attribute
that was removed from h comes back blurred or missing. The same ``Decoder`` is the detachment
method's reconstruction term R(x|h) (its estimate of I(h, x)).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from core.explain.grid import save_grid
from core.training import check_finite, map_batches


def feature_shape(model: nn.Module, image_shape: Sequence[int]) -> tuple[int, ...]:
    """Shape of ``model.features(x)`` for one image of ``image_shape`` (C, H, W), without the batch."""
    param = next(model.parameters(), None)
    device = param.device if param is not None else torch.device("cpu")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        h = model.features(torch.zeros(1, *image_shape, device=device))
    model.train(was_training)
    return tuple(h.shape[1:])


class Decoder(nn.Module):
    """h (``[C', h, w]`` map or flat ``[D]``) -> image logits ``[C, H, W]``: nearest-upsampling conv blocks."""

    def __init__(self, h_shape: Sequence[int], image_shape: Sequence[int], width: int = 64) -> None:
        super().__init__()
        self.image_shape = tuple(image_shape)
        c_out, size = image_shape[0], image_shape[-1]
        if len(h_shape) == 3:
            self.stem: nn.Module = nn.Sequential(nn.Conv2d(h_shape[0], width, 1), nn.ReLU(inplace=True))
            start = h_shape[-1]
        else:
            self.stem = nn.Sequential(nn.Flatten(), nn.Linear(math.prod(h_shape), width * 16), nn.ReLU(inplace=True),
                                      nn.Unflatten(1, (width, 4, 4)))
            start = 4
        blocks, w = [], width
        while start < size:
            blocks += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(w, max(w // 2, 16), 3, padding=1),
                       nn.ReLU(inplace=True)]
            w, start = max(w // 2, 16), start * 2
        self.up = nn.Sequential(*blocks)
        self.out = nn.Conv2d(w, c_out, 3, padding=1)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        y = self.up(self.stem(h))
        if y.shape[-2:] != self.image_shape[-2:]:
            y = F.interpolate(y, size=self.image_shape[-2:], mode="bilinear", align_corners=False)
        return self.out(y)


def reconstruction_loss(decoder: Decoder, h: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """R(x|h): per-pixel binary cross-entropy of the decoder's image against x in [0, 1]."""
    return F.binary_cross_entropy_with_logits(decoder(h), x)


def train_decoder(model: nn.Module, x: torch.Tensor, device: torch.device, epochs: int = 10, lr: float = 2e-3,
                  batch_size: int = 64, width: int = 64, seed: int = 0) -> Decoder:
    """Fit a Decoder to invert the *frozen* ``model``'s features on images ``x`` (float [0, 1])."""
    torch.manual_seed(seed)
    h = map_batches(model.eval().features, x, device)
    decoder = Decoder(h.shape[1:], x.shape[1:], width).to(device)
    opt = torch.optim.Adam(decoder.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        for idx in torch.randperm(len(x), generator=gen).split(batch_size):
            loss = reconstruction_loss(decoder, h[idx].to(device), x[idx].to(device))
            check_finite(loss, f"reconstruction decoder epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return decoder.eval()


@torch.no_grad()
def reconstruct(model: nn.Module, decoder: Decoder, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The decoder's image of ``model.features(x)``, in [0, 1], on CPU."""
    model.eval()
    decoder.eval()
    return map_batches(lambda b: torch.sigmoid(decoder(model.features(b))), x, device)


def region_error(x: torch.Tensor, x_hat: torch.Tensor, mask: torch.Tensor) -> float:
    """Mean absolute reconstruction error inside a bool pixel mask ``[N, H, W]`` (NaN when empty)."""
    m = mask.unsqueeze(1).expand_as(x)
    return float((x - x_hat).abs()[m].mean()) if bool(m.any()) else float("nan")


def _pick_examples(splits, column: str, n: int) -> torch.Tensor:
    """Up to ``n`` test rows, half with the attribute's value 1 (or its rarer classes) and half without."""
    test = splits.index("test")
    z = splits.table.columns[column][test]
    has, hasnt = test[z != 0], test[z == 0]
    k = min(len(has), (n + 1) // 2)
    return torch.cat([has[:k], hasnt[: n - k]])


def reconstruction_audit(before: nn.Module, after: nn.Module, splits, column: str, device: torch.device,
                         path: Path, n: int = 8, epochs: int = 10, seed: int = 0,
                         fit_limit: int = 2000) -> dict[str, float | str]:
    """Figure 4: train a decoder on each frozen model's h (train split) and save the grid
    input / reconstructed from ``before`` / reconstructed from ``after`` for ``n`` test images.

    Returns the PNG path and, where the dataset has the attribute's pixel mask, the reconstruction
    error inside that mask before and after (higher after = the attribute's area is lost).
    """
    fit = splits.index("train")[:fit_limit]
    x_fit = splits.tensors(fit)[0]
    rows = _pick_examples(splits, column, n)
    x = splits.tensors(rows)[0]
    outs = [reconstruct(m, train_decoder(m, x_fit, device, epochs=epochs, seed=seed), x, device) for m in (before, after)]
    result: dict[str, float | str] = {"path": str(save_grid([x, *outs], path))}
    mask = splits.table.masks.get(column)
    if mask is not None:
        m = mask[rows].bool()
        result["region_error_before"] = region_error(x, outs[0], m)
        result["region_error_after"] = region_error(x, outs[1], m)
    result["error_before"] = float((x - outs[0]).abs().mean())
    result["error_after"] = float((x - outs[1]).abs().mean())
    return result
