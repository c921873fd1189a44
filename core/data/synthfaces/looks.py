"""Everything about a face that is not a labelled attribute: the person's look (face shape, hair
style and colour, eye spacing, exact skin shade) and the photo's nuisances (pose, expression,
background, lighting, noise, colours of hats and glasses).

These make identities recognisable and images varied, so a model has to learn the attributes
rather than memorise pictures. All values are plain numbers in arrays, one row per person or image.
"""

from __future__ import annotations

import numpy as np

SKIN_RGB = np.array([(241, 204, 180), (214, 164, 125), (172, 118, 80), (105, 70, 48)], np.float32)
HAIR_RGB = np.array([(35, 30, 28), (100, 65, 40), (215, 180, 105), (160, 70, 35)], np.float32)
EYE_RGB = np.array([(60, 40, 25), (60, 100, 160), (70, 120, 70)], np.float32)
FRAME_RGB = np.array([(20, 20, 20), (90, 50, 20), (30, 30, 90), (120, 120, 125)], np.float32)
N_FACE_SHAPES, N_HAIR_STYLES, N_PATTERNS = 4, 4, 4
HAIR_STYLE_PROBS = {0: (0.1, 0.3, 0.45, 0.15), 1: (0.5, 0.3, 0.05, 0.15)}  # by Male: short, medium, long, curly


def identity_looks(male: np.ndarray, skin_tone: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A stable look per person; hair styles lean on sex (long hair mostly on women), as in photos."""
    n = len(male)
    men, women = (rng.choice(N_HAIR_STYLES, n, p=HAIR_STYLE_PROBS[k]) for k in (1, 0))
    style = np.where(male == 1, men, women)
    return {
        "face_shape": rng.integers(0, N_FACE_SHAPES, n),
        "face_w": rng.uniform(0.95, 1.05, n),
        "face_h": rng.uniform(0.95, 1.05, n),
        "hair_style": style,
        "fringe": rng.uniform(0.0, 1.0, n),
        "eye_spacing": rng.uniform(0.085, 0.11, n),
        "skin_rgb": SKIN_RGB[skin_tone] + rng.normal(0, 6, (n, 3)).astype(np.float32),
        "hair_rgb": HAIR_RGB[rng.choice(len(HAIR_RGB), n, p=(0.35, 0.35, 0.2, 0.1))] + rng.normal(0, 8, (n, 3)),
        "grey_rgb": rng.uniform(170, 215, (n, 1)) + rng.normal(0, 4, (n, 3)),
        "eye_rgb": EYE_RGB[rng.integers(0, len(EYE_RGB), n)],
    }


def image_looks(n: int, size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Per-photo variation: pose (small shift/rotation/scale), expression, background, light, noise."""
    return {
        "angle": rng.uniform(-8, 8, n),
        "scale": rng.uniform(0.94, 1.06, n),
        "dx": rng.uniform(-0.04, 0.04, n) * size,
        "dy": rng.uniform(-0.04, 0.04, n) * size,
        "brow_raise": rng.uniform(-1, 1, n),
        "brow_tilt": rng.uniform(-1, 1, n),
        "eye_open": rng.uniform(0.6, 1.1, n),
        "frame_style": rng.integers(0, 2, n),
        "hat_style": rng.integers(0, 2, n),
        "pattern": rng.integers(0, N_PATTERNS, n),
        "pattern_x": rng.uniform(0, 1, n),
        "pattern_y": rng.uniform(0, 1, n),
        "pattern_r": rng.uniform(0.1, 0.4, n),
        "bg_rgb": rng.uniform(40, 230, (n, 3)),
        "pattern_rgb": rng.uniform(40, 230, (n, 3)),
        "frame_rgb": FRAME_RGB[rng.integers(0, len(FRAME_RGB), n)] + rng.normal(0, 6, (n, 3)),
        "hat_rgb": rng.uniform(20, 230, (n, 3)),
        "shirt_rgb": rng.uniform(20, 230, (n, 3)),
        "light_angle": rng.uniform(0, 2 * np.pi, n),
        "light_strength": rng.uniform(0, 0.25, n),
        "brightness": rng.uniform(0.85, 1.15, n),
        "noise_sigma": rng.uniform(1.5, 8, n),
        "noise_x": rng.integers(0, size, n),
        "noise_y": rng.integers(0, size, n),
    }
