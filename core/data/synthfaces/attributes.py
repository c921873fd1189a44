"""The attribute catalogue of the synthetic faces: names (as in CelebA where the meaning matches),
class names, whether a trait belongs to the person or to the photo, and default class rates.

Per-identity attributes stay fixed across all of a person's images (so identity unlearning and
attribute unlearning can be told apart); per-image ones change from photo to photo.
"""

from __future__ import annotations

from dataclasses import dataclass

IDENTITY, IMAGE = "identity", "image"
BINARY = ("no", "yes")
SKIN_TONES = ("light", "medium", "tan", "dark")
AGE_GROUPS = ("0-19", "20-34", "35-54", "55+")
YOUNG_BELOW = 2  # Young = age_group < YOUNG_BELOW, i.e. "0-19" and "20-34"


@dataclass(frozen=True)
class Attribute:
    """One labelled column: its classes, its level and its default class probabilities."""

    name: str
    level: str
    classes: tuple[str, ...] = BINARY
    probs: tuple[float, ...] = (0.5, 0.5)


ATTRIBUTES: dict[str, Attribute] = {a.name: a for a in (
    Attribute("Male", IDENTITY),
    Attribute("Young", IDENTITY),  # derived from age_group unless Young itself is controlled
    Attribute("Bald", IDENTITY, probs=(0.88, 0.12)),  # default depends on Male and age (traits.py)
    Attribute("Mustache", IDENTITY, probs=(0.82, 0.18)),  # default: men only (traits.py)
    Attribute("Big_Nose", IDENTITY, probs=(0.7, 0.3)),
    Attribute("Pointy_Nose", IDENTITY, probs=(0.65, 0.35)),
    Attribute("skin_tone", IDENTITY, SKIN_TONES, (0.25,) * 4),
    Attribute("age_group", IDENTITY, AGE_GROUPS, (0.25,) * 4),
    Attribute("Smiling", IMAGE),
    Attribute("Mouth_Slightly_Open", IMAGE, probs=(0.55, 0.45)),
    Attribute("Eyeglasses", IMAGE, probs=(0.7, 0.3)),
    Attribute("Wearing_Hat", IMAGE, probs=(0.75, 0.25)),
)}

