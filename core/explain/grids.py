"""Side-by-side saliency grids: one row per image, input | each model's map | difference.

A map is drawn as a heat overlay on the greyed input; the difference column shows
``before - after`` (headed "difference"; red: saliency the unlearned model lost, blue: saliency it gained). The input
cell outlines the ground-truth mask in green when one is given, and each map cell can carry a
short note under it (the audit writes the share of saliency inside that mask).
"""

from __future__ import annotations

import numpy as np
import torch
from matplotlib import colormaps
from PIL import Image, ImageDraw, ImageFont

HEAT, DIVERGING = "inferno", "coolwarm"


def _rgb(image: torch.Tensor) -> np.ndarray:
    """Float ``[C, H, W]`` in [0, 1] to uint8 ``[H, W, 3]`` (grey images repeated)."""
    arr = image.clamp(0, 1).mul(255).round().byte().permute(1, 2, 0).numpy()
    return np.repeat(arr, 3, axis=2) if arr.shape[2] == 1 else arr[:, :, :3]


def overlay(image: torch.Tensor, heat: torch.Tensor, cmap: str = HEAT, alpha: float = 0.6,
            vmin: float = 0.0, vmax: float = 1.0) -> np.ndarray:
    """A heat map ``[H, W]`` coloured by ``cmap`` and blended over the greyed image, uint8 ``[H, W, 3]``."""
    grey = _rgb(image).mean(2, keepdims=True).repeat(3, 2)
    scaled = ((heat - vmin) / (vmax - vmin)).clamp(0, 1).numpy()
    colour = colormaps[cmap](scaled)[:, :, :3] * 255
    return (alpha * colour + (1 - alpha) * grey).round().astype(np.uint8)


def outline(image: np.ndarray, mask: torch.Tensor, colour=(0, 255, 0)) -> np.ndarray:
    """``image`` with the boundary pixels of ``mask`` painted (pixels in the mask next to one outside)."""
    m = mask.bool()
    pad = torch.nn.functional.pad(m[None, None].float(), (1, 1, 1, 1), value=0.0)
    inner = (-torch.nn.functional.max_pool2d(-pad, 3, stride=1))[0, 0].bool()  # erosion = -maxpool(-m)
    edge = (m & ~inner).numpy()
    out = image.copy()
    out[edge] = colour
    return out


FONT_PX = 13  # labels stay readable on a projector (the bitmap default was ~8 px)


def _font() -> ImageFont.ImageFont:
    return ImageFont.load_default(size=FONT_PX)


def saliency_grid(images: torch.Tensor, maps: dict[str, torch.Tensor], before: str, after: str,
                  row_labels: list[str], title: str, masks: torch.Tensor | None = None,
                  notes: dict[str, list[str]] | None = None, scale: int = 4) -> Image.Image:
    """The grid as a PIL image; ``maps`` name -> ``[n, H, W]`` in [0, 1], columns in dict order."""
    n, _, h, w = images.shape
    cols = ["input", *maps, "difference"]  # before − after (a long "original - unlearned" overran its cell)
    cell, label_w, head_h, note_h = (h * scale, w * scale), 130, 2 * FONT_PX + 14, FONT_PX + 5 if notes else 0
    width = label_w + len(cols) * (cell[0] + 4)
    height = head_h + n * (cell[1] + note_h + 4)
    canvas = Image.new("RGB", (width, height), "white")
    draw, font = ImageDraw.Draw(canvas), _font()
    draw.text((4, 2), title, fill="black", font=font)
    for j, name in enumerate(cols):
        draw.text((label_w + j * (cell[0] + 4), head_h - FONT_PX - 4), name, fill="black", font=font)
    diff = maps[before] - maps[after]
    for i in range(n):
        y = head_h + i * (cell[1] + note_h + 4)
        draw.text((4, y + cell[1] // 2 - FONT_PX // 2), row_labels[i], fill="black", font=font)
        first = _rgb(images[i]) if masks is None else outline(_rgb(images[i]), masks[i])
        tiles = [first, *(overlay(images[i], m[i]) for m in maps.values()),
                 overlay(images[i], diff[i], DIVERGING, alpha=0.75, vmin=-1.0, vmax=1.0)]
        for j, tile in enumerate(tiles):
            x = label_w + j * (cell[0] + 4)
            canvas.paste(Image.fromarray(tile).resize(cell, Image.NEAREST), (x, y))
            name = cols[j]
            if notes and name in notes:
                draw.text((x, y + cell[1] + 1), notes[name][i], fill="black", font=font)
    return canvas
