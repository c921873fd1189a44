"""sklearn's handwritten digits (1,797 images of 8x8 grey, 10 classes), upscaled for small CNNs.

Bundled with scikit-learn, so it needs no download: the dataset for class and subset-of-class
forgetting on a laptop. Column ``digit`` (classes "0".."9"); no identities, no shipped partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from core.data.source import DATASETS, DatasetSource
from core.data.table import ImageTable
from core.params import param


@DATASETS.register("digits")
class Digits(DatasetSource):
    """sklearn digits: 1,797 grey handwritten digits, 10 classes, upscaled to a square size."""

    @dataclass
    class Options:
        size: int = param(32, "side of the square images in pixels (the originals are 8x8, upscaled bilinearly)", min=8, max=256)

    cacheable = True

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        from sklearn.datasets import load_digits

        digits = load_digits()
        pixels = torch.from_numpy(digits.images).float().unsqueeze(1) * (255.0 / 16.0)  # 0..16 -> 0..255
        if options.size != 8:
            pixels = F.interpolate(pixels, size=(options.size, options.size), mode="bilinear", align_corners=False)
        images = pixels.round().clamp(0, 255).to(torch.uint8)
        return ImageTable(
            name="digits",
            images=images,
            columns={"digit": torch.from_numpy(digits.target).long()},
            classes={"digit": [str(d) for d in range(10)]},
            ids=[f"digits/{i}" for i in range(len(images))],
        )
