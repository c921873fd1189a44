"""The remover of feature unlearning with known annotations: a small U-Net that outputs a mask.

``x_hat = x * m`` with ``m = sigmoid(U(x))`` a one-channel mask in (0, 1) shared by all colour
channels, so the remover can only dim pixels (hide a feature), never paint new ones. The last
layer's bias starts high, so an untrained remover passes images through almost unchanged, which
is where the L1 term of the remover's loss wants it to stay unless hiding the feature pays.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _double_conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
    )


class UNetRemover(nn.Module):
    """Two-level U-Net (encoder, bottleneck, decoder with skips) -> one-channel mask."""

    def __init__(self, in_channels: int, width: int = 16, open_bias: float = 3.0) -> None:
        super().__init__()
        w = width
        self.enc1 = _double_conv(in_channels, w)
        self.enc2 = _double_conv(w, 2 * w)
        self.mid = _double_conv(2 * w, 4 * w)
        self.up2 = nn.Conv2d(4 * w, 2 * w, 1)
        self.dec2 = _double_conv(4 * w, 2 * w)
        self.up1 = nn.Conv2d(2 * w, w, 1)
        self.dec1 = _double_conv(2 * w, w)
        self.out = nn.Conv2d(w, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.constant_(self.out.bias, open_bias)

    @staticmethod
    def _up(up: nn.Module, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        """Bilinear upsampling to the skip's size, then a 1x1 conv (no checkerboard artefacts,
        which a transposed conv hands the remover as a cheap way to fool the adversary)."""
        x = up(F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False))
        return torch.cat([x, skip], 1)

    def mask(self, x: torch.Tensor) -> torch.Tensor:
        """The mask ``m`` in (0, 1), ``[n, 1, H, W]``."""
        e1 = self.enc1(x)
        e2 = self.enc2(F.max_pool2d(e1, 2))
        mid = self.mid(F.max_pool2d(e2, 2))
        d2 = self.dec2(self._up(self.up2, mid, e2))
        d1 = self.dec1(self._up(self.up1, d2, e1))
        return torch.sigmoid(self.out(d1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The masked image ``x_hat = x * m``."""
        return x * self.mask(x)


class RemoverFront(nn.Module):
    """``model(remover(x))`` with the model's ``features``/``head``: the pipeline the adversary saw,
    for auditing only (the unlearned model itself is the plain network, used on raw images)."""

    def __init__(self, model: nn.Module, remover: UNetRemover) -> None:
        super().__init__()
        self.model, self.remover = model, remover

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.features(self.remover(x))

    def head(self, h: torch.Tensor) -> torch.Tensor:
        return self.model.head(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(self.remover(x))
