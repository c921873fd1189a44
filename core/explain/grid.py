"""Image grids as PNG files: rows of equally many images (e.g. input / before / after)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch


def heat_rgb(maps: torch.Tensor) -> torch.Tensor:
    """``[N, H, W]`` maps in [0, 1] as RGB images ``[N, 3, H, W]`` (black -> red -> yellow -> white)."""
    m = maps.clamp(0, 1).unsqueeze(1)
    return torch.cat([(3 * m).clamp(0, 1), (3 * m - 1).clamp(0, 1), (3 * m - 2).clamp(0, 1)], 1)


def save_grid(rows: Sequence[torch.Tensor], path: Path) -> Path:
    """Write image rows (each ``[n, C, H, W]`` in [0, 1], same n and C) as one PNG, one row each."""
    from torchvision.utils import save_image

    n = len(rows[0])
    if any(len(r) != n for r in rows):
        raise ValueError("save_grid: every row needs the same number of images")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(torch.cat([r.float().clamp(0, 1) for r in rows]), path, nrow=n, padding=1, pad_value=1.0)
    return path
