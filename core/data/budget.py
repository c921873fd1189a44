"""How much data a scenario may ask for: a cap on images and on the memory they would take.

Checked from the options alone, before anything is generated or read, so ``100,000 people ×
10,000 photos`` is refused in milliseconds with the estimate named instead of ending in a
MemoryError minutes later. The caps can be raised with ``UNLEARN_MAX_IMAGES`` and
``UNLEARN_MAX_DATASET_GB`` on a machine that really has the memory.
"""

from __future__ import annotations

import os

from core.params import ParamError

DEFAULT_MAX_IMAGES = 1_000_000
DEFAULT_MAX_GB = 16.0
# Bytes held per pixel value: the uint8 table plus float32 copies the training and evaluation
# loaders make of the splits they read (train and one scored split at a time).
BYTES_PER_VALUE = 1 + 4 + 4


def max_images() -> int:
    return int(os.environ.get("UNLEARN_MAX_IMAGES", DEFAULT_MAX_IMAGES))


def max_bytes() -> float:
    return float(os.environ.get("UNLEARN_MAX_DATASET_GB", DEFAULT_MAX_GB)) * 2**30


def estimate_bytes(n_images: int, channels: int, size: int, mask_planes: int = 0) -> float:
    """Memory a table of ``n_images`` square images would take while a run uses it."""
    return float(n_images) * size * size * (channels * BYTES_PER_VALUE + mask_planes)


def check_budget(where: str, n_images: int, channels: int, size: int, mask_planes: int = 0) -> None:
    """Raise a ParamError naming the count or the memory estimate when either cap is exceeded."""
    if n_images > max_images():
        raise ParamError(f"{where}: {n_images:,} images is above the cap of {max_images():,}; ask for fewer "
                         "(or raise UNLEARN_MAX_IMAGES)")
    need = estimate_bytes(n_images, channels, size, mask_planes)
    if need > max_bytes():
        raise ParamError(f"{where}: {n_images:,} images of {size}×{size} would need about {need / 2**30:,.1f} GiB "
                         f"of memory, above the cap of {max_bytes() / 2**30:,.1f} GiB; use fewer or smaller images "
                         "(or raise UNLEARN_MAX_DATASET_GB)")
