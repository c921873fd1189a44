"""The auxiliary network that reads h at the split point and estimates what it holds.

A decoder rebuilds x (its reconstruction error R(x|h) estimates I(h, x)); a task head and one head
per attribute to remove each give an embedding (trained with the supervised contrastive loss) and
class logits, estimating I(h, y) and I(h, z). The heads are small on purpose (the paper: "a few
convolutional and linear layers"), yet they keep a coarse 4x4 spatial layout, because a removal that
only fools a pooled head leaves the attribute readable by a spatial attacker.
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from core.methods.detachment.reconstruction import Decoder


class ProbeHead(nn.Module):
    """h -> (embedding for the contrastive loss, class logits).

    h is standardised per channel with the batch's own statistics first: otherwise the extractor
    can "remove" an attribute by shrinking the channels that carry it, which fools this head but
    not an attacker that rescales its input. A 1x1 convolution then a pooled 4x4 map keep the head
    cheap next to the model (its cost must not eat the local-parallel speed-up) yet spatial.
    """

    def __init__(self, h_shape: Sequence[int], n_out: int, width: int = 64, hidden: int = 128, emb_dim: int = 64) -> None:
        super().__init__()
        if len(h_shape) == 3:
            side = min(4, h_shape[-1])
            self.body = nn.Sequential(
                nn.BatchNorm2d(h_shape[0], affine=False, track_running_stats=False),
                nn.Conv2d(h_shape[0], width, 1), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(side),
                nn.Conv2d(width, width, 3, padding=1), nn.ReLU(inplace=True),
                nn.Flatten(), nn.Linear(width * side * side, hidden), nn.ReLU(inplace=True))
        else:
            d = math.prod(h_shape)
            self.body = nn.Sequential(nn.Flatten(), nn.BatchNorm1d(d, affine=False, track_running_stats=False),
                                      nn.Linear(d, hidden), nn.ReLU(inplace=True))
        self.proj = nn.Linear(hidden, emb_dim)
        self.cls = nn.Linear(hidden, n_out)

    def forward(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        f = self.body(h)
        return self.proj(f), self.cls(f)


class AuxiliaryNet(nn.Module):
    """Decoder, task head and one head per attribute column, all reading h."""

    def __init__(self, h_shape: Sequence[int], image_shape: Sequence[int], task_out: int,
                 attributes: dict[str, int], width: int = 64, decoder_width: int = 32) -> None:
        super().__init__()
        self.decoder = Decoder(h_shape, image_shape, decoder_width)
        self.task_head = ProbeHead(h_shape, task_out, width)
        self.attribute_heads = nn.ModuleDict({name: ProbeHead(h_shape, k, width) for name, k in attributes.items()})
