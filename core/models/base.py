"""The model interface: a network with a named split point, and its registry.

Every architecture is ``features(x) -> h`` (the bottom extractor, up to the split point; default
the middle of the network) followed by ``head(h) -> logits``. ``penultimate(x)`` is the embedding
just before the last linear layer, for distance-based metrics (TMU's NF, probes).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.registry import Registry


@dataclass(frozen=True)
class ModelSpec:
    """What a model is built for: input channels, image size and output width."""

    in_channels: int
    image_size: int
    out_dim: int


class SplitModel(nn.Module):
    """Base class: subclasses define ``bottom`` (-> h), ``top`` (h -> embedding) and ``fc``."""

    bottom: nn.Module
    top: nn.Module
    fc: nn.Linear

    def features(self, x: torch.Tensor) -> torch.Tensor:
        return self.bottom(x)

    def embed(self, h: torch.Tensor) -> torch.Tensor:
        """Penultimate embedding from the split-point features."""
        return self.top(h)

    def head(self, h: torch.Tensor) -> torch.Tensor:
        return self.fc(self.top(h))

    def penultimate(self, x: torch.Tensor) -> torch.Tensor:
        return self.top(self.bottom(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))

    def blocks(self) -> list[nn.Module]:
        """The network's blocks in order, for methods that re-train only the last k (CF-k)."""
        return [*self.bottom.children(), *self.top.children(), self.fc]


MODELS: Registry[type[SplitModel]] = Registry("model")


def build_model(name: str, spec: ModelSpec) -> SplitModel:
    """A freshly initialised registered model for ``spec``."""
    return MODELS.get(name)(spec)
