"""Draw one face as a map of part codes (parts.py) with Pillow, then pose it.

Layout is in units of the image side ``s`` around the head centre; ``a``/``b`` are the face's
half-width/half-height. Layers go back to front (background, hair behind, neck and shirt, face,
hair front, age and sex cues, eyes, nose, mouth, moustache, earrings, glasses, hat), so each part
code ends up on exactly the pixels where that part is visible. The pose (small rotation, scale and shift) is one
nearest-neighbour affine warp of the finished map, so parts stay crisp codes, never blends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from core.data.synthfaces.parts import (
    BACKGROUND, BLUSH, BROW, EARRING, EYE_WHITE, GLASSES, GREY_HAIR, HAIR, HAT, LIPS, LIPSTICK, MOUTH_INSIDE,
    MUSTACHE, NOSE, PATTERN, PUPIL, SCALP, SHIRT, SKIN, STUBBLE, TEETH, WRINKLE,
)

FACE_SIZE = {0: (0.20, 0.27), 1: (0.225, 0.25), 2: (0.185, 0.285), 3: (0.215, 0.265)}  # oval, round, long, square


@dataclass
class Geometry:
    """Where the head sits, in pixels, for one face."""

    s: float
    cx: float
    cy: float
    a: float
    b: float
    eye_y: float
    eye_dx: float
    mouth_y: float
    line: int

    @property
    def box(self) -> tuple[float, float, float, float]:
        return (self.cx - self.a, self.cy - self.b, self.cx + self.a, self.cy + self.b)


def geometry(p: dict, size: int) -> Geometry:
    w, h = FACE_SIZE[p["face_shape"]]
    a, b = 1.08 * w * p["face_w"] * size, 1.08 * h * p["face_h"] * size
    cx, cy = size / 2, size * 0.47
    return Geometry(size, cx, cy, a, b, cy - 0.05 * b, p["eye_spacing"] * size, cy + 0.6 * b, max(1, round(size / 48)))


def draw_face(p: dict, size: int) -> np.ndarray:
    """The part-code map ``uint8 [size, size]`` of the face described by row ``p`` (traits + looks)."""
    img = Image.new("L", (size, size), BACKGROUND)
    d = ImageDraw.Draw(img)
    g = geometry(p, size)
    hair = GREY_HAIR if p["age_group"] == 3 else HAIR
    _background(d, p, g)
    _hair_back(d, p, g, hair)
    _body(d, g)
    _head(d, p, g)
    _hair_front(d, p, g, hair)
    _age_cues(d, p, g)
    if p["Male"]:
        d.chord(g.box, 25, 155, fill=STUBBLE)
    _eyes(d, p, g)
    _nose(d, p, g)
    _mouth(d, p, g)
    _extras(d, p, g)
    if p["Eyeglasses"]:
        _glasses(d, p, g)
    if p["Wearing_Hat"]:
        _hat(d, p, g)
    return np.asarray(_pose(img, p, size))


def _background(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    x, y, r = p["pattern_x"] * g.s, p["pattern_y"] * g.s, p["pattern_r"] * g.s
    if p["pattern"] == 1:
        d.ellipse((x - r, y - r, x + r, y + r), fill=PATTERN)
    elif p["pattern"] == 2:
        d.rectangle((0, y - r / 2, g.s, y + r / 2), fill=PATTERN)
    elif p["pattern"] == 3:
        d.rectangle((x - r, 0, x + r, g.s), fill=PATTERN)


def _body(d: ImageDraw.ImageDraw, g: Geometry) -> None:
    neck = 0.38 * g.a
    d.rectangle((g.cx - neck, g.cy + 0.5 * g.b, g.cx + neck, g.cy + g.b + 0.12 * g.s), fill=SKIN)
    top = g.cy + g.b + 0.06 * g.s
    d.ellipse((g.cx - 0.38 * g.s, top, g.cx + 0.38 * g.s, top + 0.5 * g.s), fill=SHIRT)


def _hair_back(d: ImageDraw.ImageDraw, p: dict, g: Geometry, hair: int) -> None:
    if p["Bald"]:
        return
    a, b, cx, cy = g.a, g.b, g.cx, g.cy
    style = p["hair_style"]
    if style == 0:
        d.ellipse((cx - 1.07 * a, cy - 1.12 * b, cx + 1.07 * a, cy + 0.3 * b), fill=hair)
    elif style == 1:
        d.ellipse((cx - 1.18 * a, cy - 1.12 * b, cx + 1.18 * a, cy + 0.75 * b), fill=hair)
    elif style == 2:
        d.rounded_rectangle((cx - 1.22 * a, cy - 1.12 * b, cx + 1.22 * a, cy + b + 0.1 * g.s), radius=a, fill=hair)
    else:
        d.ellipse((cx - 1.4 * a, cy - 1.25 * b, cx + 1.4 * a, cy + 0.6 * b), fill=hair)


def _head(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    if p["hair_style"] == 0 or p["Bald"]:
        for side in (-1, 1):
            x = g.cx + side * g.a
            d.ellipse((x - 0.13 * g.a, g.cy - 0.25 * g.b, x + 0.13 * g.a, g.cy + 0.12 * g.b), fill=SKIN)
    if p["face_shape"] == 3:
        d.rounded_rectangle(g.box, radius=0.55 * g.a, fill=SKIN)
    else:
        d.ellipse(g.box, fill=SKIN)


def _hair_front(d: ImageDraw.ImageDraw, p: dict, g: Geometry, hair: int) -> None:
    """The fringe (or, when bald, the bare scalp with a horseshoe of hair), and grey temples at 35-54."""
    alpha = 36 + 12 * p["fringe"]  # how far down the sides the hairline reaches, in degrees
    if p["Bald"]:
        d.chord(g.box, 180 + alpha, 360 - alpha, fill=SCALP)
        side = GREY_HAIR if p["age_group"] >= 2 else hair
        for sx in (-1, 1):
            x = g.cx + sx * 0.95 * g.a
            d.ellipse((x - 0.14 * g.a, g.cy - 0.55 * g.b, x + 0.14 * g.a, g.cy - 0.05 * g.b), fill=side)
        return
    d.chord(g.box, 180 + alpha - 20 * p["fringe"], 360 - alpha + 10 * p["fringe"], fill=hair)
    if p["age_group"] == 2:
        for sx in (-1, 1):
            x = g.cx + sx * 0.92 * g.a
            d.ellipse((x - 0.2 * g.a, g.cy - 0.75 * g.b, x + 0.2 * g.a, g.cy - 0.15 * g.b), fill=GREY_HAIR)


def _age_cues(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    """Rosy cheeks on the young; forehead lines, crow's feet and (55+) smile lines on the old."""
    a, b, cx, cy, w = g.a, g.b, g.cx, g.cy, g.line
    age = p["age_group"]
    if age == 0:
        for sx in (-1, 1):
            x = cx + sx * 0.55 * a
            d.ellipse((x - 0.2 * a, cy + 0.12 * b, x + 0.2 * a, cy + 0.32 * b), fill=BLUSH)
    if age < 2:
        return
    for y in ((-0.4,) if age == 2 else (-0.44, -0.35)):
        d.line((cx - 0.45 * a, cy + y * b, cx + 0.45 * a, cy + y * b), fill=WRINKLE, width=w)
    for sx in (-1, 1):
        x = cx + sx * (g.eye_dx + 0.07 * g.s)
        d.line((x, g.eye_y - 0.03 * g.s, x + sx * 0.03 * g.s, g.eye_y + 0.02 * g.s), fill=WRINKLE, width=w)
        if age == 3:
            d.line((cx + sx * 0.3 * a, cy + 0.25 * b, cx + sx * 0.5 * a, cy + 0.6 * b), fill=WRINKLE, width=w)


def _eyes(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    big = 1.15 if p["age_group"] == 0 else 1.0
    rx, ry, r = 0.045 * g.s * big, 0.022 * g.s * big * p["eye_open"], max(0.6, 0.017 * g.s * big)
    thick = max(2, round(0.03 * g.s)) if p["Male"] else max(1, round(0.012 * g.s))
    raise_, tilt = 0.012 * g.s * p["brow_raise"], 0.008 * g.s * p["brow_tilt"]
    for sx in (-1, 1):
        x, y = g.cx + sx * g.eye_dx, g.eye_y
        d.ellipse((x - rx, y - ry, x + rx, y + ry), fill=EYE_WHITE)
        d.ellipse((x - r, y - r, x + r, y + r), fill=PUPIL)
        yb = y - 0.05 * g.s - raise_
        d.line((x - 0.045 * g.s, yb + tilt, x + 0.045 * g.s, yb - tilt), fill=BROW, width=thick)


def _nose(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    k = 1.6 if p["Big_Nose"] else 1.0
    w, top, tip = 0.03 * g.s * k, g.eye_y + 0.03 * g.s, g.cy + 0.3 * g.b + 0.03 * g.s * (k - 1)
    if p["Pointy_Nose"]:
        d.polygon([(g.cx, top), (g.cx - w, tip), (g.cx + 0.2 * w, tip + 0.3 * w), (g.cx + w, tip)], fill=NOSE)
    else:
        d.line((g.cx, top, g.cx, tip - w), fill=NOSE, width=g.line)
        d.ellipse((g.cx - w, tip - 1.1 * w, g.cx + w, tip + 0.3 * w), fill=NOSE)


def _mouth(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    """Closed or slightly open, smiling or not; women's lips are drawn with lipstick (a sex cue)."""
    lips = LIPS if p["Male"] else LIPSTICK
    w, y, lw, s = 0.07 * g.s if p["Smiling"] else 0.055 * g.s, g.mouth_y, max(1, round(0.022 * g.s)), g.s
    if p["Mouth_Slightly_Open"] and p["Smiling"]:
        d.chord((g.cx - w, y - 0.035 * s, g.cx + w, y + 0.035 * s), 0, 180, fill=MOUTH_INSIDE, outline=lips, width=lw)
        d.rectangle((g.cx - 0.6 * w, y, g.cx + 0.6 * w, y + 0.012 * s), fill=TEETH)
    elif p["Mouth_Slightly_Open"]:
        box = (g.cx - 0.6 * w, y - 0.025 * s, g.cx + 0.6 * w, y + 0.025 * s)
        d.ellipse(box, fill=MOUTH_INSIDE, outline=lips, width=lw)
    elif p["Smiling"]:
        d.arc((g.cx - w, y - 0.045 * s, g.cx + w, y + 0.015 * s), 10, 170, fill=lips, width=lw)
    else:
        d.line((g.cx - w, y, g.cx + w, y), fill=lips, width=lw)


def _extras(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    """Moustache above the mouth; earrings on women (drawn over hair, so they show)."""
    if p["Mustache"]:
        y, w, h = g.mouth_y - 0.045 * g.s, 0.075 * g.s, max(0.6, 0.018 * g.s)
        d.ellipse((g.cx - w, y - h, g.cx + w, y + h), fill=MUSTACHE)
    if not p["Male"]:
        r = max(0.7, 0.02 * g.s)
        for sx in (-1, 1):
            x, y = g.cx + sx * 1.02 * g.a, g.cy + 0.15 * g.b
            d.ellipse((x - r, y - r, x + r, y + r), fill=EARRING)


def _glasses(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    r, w, y = 0.065 * g.s, max(1, round(0.018 * g.s)), g.eye_y
    for sx in (-1, 1):
        x = g.cx + sx * g.eye_dx
        box = (x - r, y - 0.8 * r, x + r, y + 0.8 * r)
        if p["frame_style"]:
            d.rectangle(box, outline=GLASSES, width=w)
        else:
            d.ellipse(box, outline=GLASSES, width=w)
        d.line((x + sx * r, y - 0.3 * r, g.cx + sx * g.a, y - 0.4 * r), fill=GLASSES, width=w)
    d.line((g.cx - g.eye_dx + r, y - 0.2 * r, g.cx + g.eye_dx - r, y - 0.2 * r), fill=GLASSES, width=w)


def _hat(d: ImageDraw.ImageDraw, p: dict, g: Geometry) -> None:
    """A beanie (crown and band) or a cap (crown and a brim to one side)."""
    a, b, cx, cy = g.a, g.b, g.cx, g.cy
    d.chord((cx - 1.18 * a, cy - 1.35 * b, cx + 1.18 * a, cy + 0.2 * b), 180, 360, fill=HAT)
    if p["hat_style"]:
        d.ellipse((cx - 0.2 * a, cy - 0.67 * b, cx + 1.8 * a, cy - 0.5 * b), fill=HAT)
    else:
        d.rectangle((cx - 1.2 * a, cy - 0.7 * b, cx + 1.2 * a, cy - 0.5 * b), fill=HAT)


def _pose(img: Image.Image, p: dict, size: int) -> Image.Image:
    """Rotate by ``angle`` degrees, scale and shift about the centre (inverse map for Pillow)."""
    t = math.radians(p["angle"])
    k = p["scale"]
    a, b = math.cos(t) / k, math.sin(t) / k
    c0, tx, ty = size / 2, size / 2 + p["dx"], size / 2 + p["dy"]
    data = (a, b, c0 - a * tx - b * ty, -b, a, c0 + b * tx - a * ty)
    return img.transform((size, size), Image.Transform.AFFINE, data, Image.Resampling.NEAREST, fillcolor=BACKGROUND)
