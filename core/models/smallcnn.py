"""A small fast CNN for CPU demos and tests (a few hundred thousand parameters)."""

from __future__ import annotations

from torch import nn

from core.models.base import MODELS, ModelSpec, SplitModel


def _conv(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


@MODELS.register("smallcnn", "small 4-block CNN (~0.3M params): fast on a laptop CPU; split after block 2")
class SmallCNN(SplitModel):
    def __init__(self, spec: ModelSpec, width: int = 32) -> None:
        super().__init__()
        w = width
        self.bottom = nn.Sequential(_conv(spec.in_channels, w), nn.MaxPool2d(2), _conv(w, 2 * w), nn.MaxPool2d(2))
        self.top = nn.Sequential(
            _conv(2 * w, 4 * w), nn.MaxPool2d(2), _conv(4 * w, 4 * w),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        )
        self.fc = nn.Linear(4 * w, spec.out_dim)
