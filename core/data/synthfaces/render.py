"""Turn sampled faces (one row per image: attributes + looks) into images and attribute masks.

Faces are drawn one at a time (Pillow) and coloured and masked a chunk at a time (numpy), which
keeps memory flat for large sets; a chunk of 64 keeps its float image in the CPU cache, which is
faster than larger chunks. Rendering is a pure function of the rows, the size and the seed of the
noise texture, so any row can be re-rendered alone, e.g. with one attribute switched off.
"""

from __future__ import annotations

import numpy as np

from core.data.synthfaces.attributes import ATTRIBUTES
from core.data.synthfaces.draw import draw_face
from core.data.synthfaces.paint import noise_texture, paint
from core.data.synthfaces.parts import attribute_mask

Faces = dict[str, np.ndarray]
DRAW_KEYS = (
    "Male", "Bald", "Mustache", "Big_Nose", "Pointy_Nose", "age_group", "Smiling", "Mouth_Slightly_Open",
    "Eyeglasses", "Wearing_Hat", "face_shape", "face_w", "face_h", "hair_style", "fringe", "eye_spacing",
    "angle", "scale", "dx", "dy", "brow_raise", "brow_tilt", "eye_open", "frame_style", "hat_style",
    "pattern", "pattern_x", "pattern_y", "pattern_r",
)


def take(faces: Faces, index: np.ndarray | slice) -> Faces:
    """The rows at ``index`` of every column."""
    return {k: v[index] for k, v in faces.items()}


def part_maps(faces: Faces, size: int) -> np.ndarray:
    """uint8 ``[N, size, size]``: the part code of every pixel of every face."""
    columns = [faces[k].tolist() for k in DRAW_KEYS]
    rows = (dict(zip(DRAW_KEYS, values)) for values in zip(*columns))
    return np.stack([draw_face(row, size) for row in rows]) if columns[0] else np.zeros((0, size, size), np.uint8)


def render(
    faces: Faces, size: int, seed: int, with_masks: bool = True, chunk: int = 64
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Images uint8 ``[N, 3, size, size]`` and, per attribute, bool masks ``[N, size, size]``."""
    n = len(faces["Male"])
    texture = noise_texture(size, seed)
    images = np.empty((n, 3, size, size), np.uint8)
    names = list(ATTRIBUTES) if with_masks else []
    masks = {k: np.empty((n, size, size), bool) for k in names}
    for start in range(0, n, chunk):
        rows = take(faces, slice(start, start + chunk))
        maps = part_maps(rows, size)
        images[start:start + len(maps)] = paint(maps, rows, texture)
        for k in names:
            masks[k][start:start + len(maps)] = attribute_mask(k, maps, rows[k])
    return images, masks
