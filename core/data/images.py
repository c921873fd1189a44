"""Image files -> square RGB uint8 tensors, with unreadable files skipped and counted, or fatal.

Every reader of a real on-disk layout loads its pixels through :func:`load_images`, so resizing and
the ``on_bad_image`` policy behave the same for CelebA, MUCAC, MUFAC, FairFace and user folders.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal, Sequence

import numpy as np
import torch
from PIL import Image, ImageOps

from core.data.source import DataError

OnBadImage = Literal["skip", "error"]
ON_BAD_IMAGE_CHOICES = ["skip", "error"]


def open_image(path: Path, size: int) -> torch.Tensor:
    """One image file as ``uint8 [3, size, size]``: resized so the shorter side fits, centre-cropped.

    Raises ``OSError``/``ValueError`` (from PIL) for a missing, truncated or unrecognised file.
    """
    with Image.open(path) as img:
        img.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, still >= size (much faster)
        rgb = ImageOps.fit(img.convert("RGB"), (size, size), method=Image.Resampling.BICUBIC)
        array = np.asarray(rgb, dtype=np.uint8)
    return torch.from_numpy(array.copy()).permute(2, 0, 1)


def _try_open(path: Path, size: int) -> torch.Tensor | str:
    try:
        return open_image(path, size)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:  # PIL raises all of these
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def load_images(
    paths: Sequence[Path], size: int, on_bad_image: OnBadImage, dataset: str, root: Path | None = None
) -> tuple[torch.Tensor, list[int], list[str]]:
    """Load ``paths`` as ``uint8 [K, 3, size, size]``.

    Returns the images that opened, the positions in ``paths`` they came from, and one line per
    skipped file ("path: reason", relative to ``root`` when given). With ``on_bad_image="error"`` the
    first unreadable file raises a DataError naming it instead.
    """
    images = torch.empty((len(paths), 3, size, size), dtype=torch.uint8)
    kept: list[int] = []
    skipped: list[str] = []
    workers = min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # PIL decodes without holding the GIL
        for i, result in enumerate(pool.map(lambda p: _try_open(p, size), paths)):
            if isinstance(result, str):
                shown = _shown(paths[i], root)
                if on_bad_image == "error":
                    raise DataError(
                        f"{dataset}: cannot read image {shown} ({result}); replace or remove the file, "
                        "or set on_bad_image='skip' to leave it out"
                    )
                skipped.append(f"{shown}: {result}")
                continue
            images[len(kept)] = result
            kept.append(i)
    return images[: len(kept)].clone() if len(kept) < len(paths) else images, kept, skipped


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.relative_to(root))
        except ValueError:
            pass
    return str(path)
