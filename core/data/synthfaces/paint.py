"""Colour a batch of part maps: a per-image palette, directional light and sensor noise.

Vectorised over the batch (numpy), because per-pixel work in Python would never reach the speed
the dataset needs. Noise comes from one seeded noise texture that each image crops at its own
offset, so an image's noise depends only on its row and the dataset seed, never on the batch.
"""

from __future__ import annotations

import numpy as np

from core.data.synthfaces import parts as P

LIPSTICK_RGB = np.array([185, 25, 55], np.float32)
BLUSH_RGB = np.array([235, 95, 110], np.float32)


def palette(f: dict[str, np.ndarray]) -> np.ndarray:
    """Float ``[N, n_parts, 3]``: each image's colour for every part."""
    n = len(f["skin_rgb"])
    skin, hair, grey = f["skin_rgb"], f["hair_rgb"], f["grey_rgb"]
    hair = np.where(f["age_group"][:, None] == 3, grey, hair)
    pal = np.zeros((n, len(P.PARTS), 3), np.float32)
    pal[:, P.BACKGROUND] = f["bg_rgb"]
    pal[:, P.PATTERN] = 0.5 * f["bg_rgb"] + 0.5 * f["pattern_rgb"]
    pal[:, P.SHIRT] = f["shirt_rgb"]
    pal[:, P.SKIN] = skin
    pal[:, P.SCALP] = skin * 1.06 + 10
    pal[:, P.HAIR] = f["hair_rgb"]
    pal[:, P.GREY_HAIR] = grey
    pal[:, P.BROW] = hair * 0.6
    pal[:, P.EYE_WHITE] = 235
    pal[:, P.PUPIL] = f["eye_rgb"]
    pal[:, P.NOSE] = skin * 0.8
    pal[:, P.LIPS] = skin * 0.65 + np.array([60, 10, 15], np.float32)
    pal[:, P.LIPSTICK] = LIPSTICK_RGB
    pal[:, P.MOUTH_INSIDE] = (70, 20, 25)
    pal[:, P.TEETH] = (238, 234, 220)
    pal[:, P.MUSTACHE] = hair * 0.85
    pal[:, P.STUBBLE] = skin * 0.72 + hair * 0.1
    pal[:, P.WRINKLE] = skin * 0.55
    pal[:, P.BLUSH] = skin * 0.55 + BLUSH_RGB * 0.45
    pal[:, P.EARRING] = (235, 195, 60)
    pal[:, P.GLASSES] = f["frame_rgb"]
    pal[:, P.HAT] = f["hat_rgb"]
    return pal


def noise_texture(size: int, seed: int) -> np.ndarray:
    """Unit Gaussian noise ``[2*size, 2*size, 3]`` shared by all images of a dataset."""
    return np.random.default_rng([seed, size, 7]).standard_normal((2 * size, 2 * size, 3), dtype=np.float32)


def paint(part_maps: np.ndarray, f: dict[str, np.ndarray], texture: np.ndarray) -> np.ndarray:
    """uint8 ``[N, 3, H, W]`` images from part maps ``[N, H, W]`` and the matching rows ``f``."""
    n, h, w = part_maps.shape
    pal = palette(f)
    flat = part_maps.reshape(n, h * w).astype(np.intp) + (np.arange(n) * pal.shape[1])[:, None]
    img = np.take(pal.reshape(-1, 3), flat, axis=0).reshape(n, h, w, 3)
    img *= _light(f, h, w)[..., None]
    _add_noise(img, texture, f)
    np.rint(np.clip(img, 0, 255, out=img), out=img)
    out = np.empty((n, 3, h, w), np.uint8)
    np.copyto(out, img.transpose(0, 3, 1, 2), casting="unsafe")
    return out


def _add_noise(img: np.ndarray, texture: np.ndarray, f: dict[str, np.ndarray]) -> None:
    """Add to float ``img`` ``[N, H, W, 3]`` each image's crop of the texture at its offset, times its sigma.

    One slice per image: cropping views costs nothing, where gathering all windows at once copies
    the whole batch first (three times slower, and the noise is a large share of the render time).
    """
    _, h, w, _ = img.shape
    sigma = f["noise_sigma"].astype(np.float32)
    for i, (y, x) in enumerate(zip(f["noise_y"].tolist(), f["noise_x"].tolist())):
        img[i] += texture[y:y + h, x:x + w] * sigma[i]


def _light(f: dict[str, np.ndarray], h: int, w: int) -> np.ndarray:
    """Gain ``[N, H, W]``: overall brightness times a linear ramp towards the light."""
    ys, xs = np.linspace(-1, 1, h, dtype=np.float32), np.linspace(-1, 1, w, dtype=np.float32)
    cos, sin = np.cos(f["light_angle"]).astype(np.float32), np.sin(f["light_angle"]).astype(np.float32)
    k, bright = f["light_strength"].astype(np.float32), f["brightness"].astype(np.float32)
    ramp = cos[:, None, None] * xs[None, None, :] + sin[:, None, None] * ys[None, :, None]
    return bright[:, None, None] * (1 + k[:, None, None] * ramp)
