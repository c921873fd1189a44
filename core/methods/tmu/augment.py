"""Label-preserving augmentation to fill a twin forget set when held-out data runs short.

Small shifts and pixel noise keep a digit a digit; horizontal flips are optional because they do
not preserve every class (a mirrored 3 is no 3) though they do for faces.
"""

from __future__ import annotations

import torch

AUGMENTATIONS = ("shift", "noise", "flip")


def _shift(x: torch.Tensor, gen: torch.Generator, max_px: int = 2) -> torch.Tensor:
    dx, dy = (int(v) for v in torch.randint(-max_px, max_px + 1, (2,), generator=gen))
    return torch.roll(x, shifts=(dy, dx), dims=(-2, -1))


def _noise(x: torch.Tensor, gen: torch.Generator, std: float = 0.03) -> torch.Tensor:
    return (x + std * torch.randn(x.shape, generator=gen)).clamp(0, 1)


def _flip(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    return x.flip(-1) if bool(torch.rand(1, generator=gen) < 0.5) else x


_OPS = {"shift": _shift, "noise": _noise, "flip": _flip}


def augment(x: torch.Tensor, kinds: list[str], gen: torch.Generator) -> torch.Tensor:
    """One randomly transformed copy of each float image in ``x`` ([n, C, H, W] in [0, 1])."""
    unknown = sorted(set(kinds) - set(AUGMENTATIONS))
    if unknown:
        raise ValueError(f"augment: unknown kind(s) {unknown}; allowed: {', '.join(AUGMENTATIONS)}")
    out = x.clone()
    for i in range(len(out)):
        for kind in kinds:
            out[i] = _OPS[kind](out[i], gen)
    return out
