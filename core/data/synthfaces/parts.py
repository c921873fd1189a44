"""Face parts: every drawn pixel belongs to exactly one part (the last one painted over it).

A face is drawn once as a map of part codes; colours and the ground-truth attribute masks are both
looked up from that map, so a mask is exactly the set of pixels where its attribute shows.

Mask convention (per attribute and class, ``MASK_PARTS``): a binary attribute's mask is empty where
the attribute is 0, since its absence draws nothing of its own (where it would be drawn is not
marked). When it is 1: Eyeglasses the frames, Wearing_Hat the hat, Smiling and Mouth_Slightly_Open
the mouth, Mustache the moustache, Big_Nose/Pointy_Nose the nose, Bald the visible bare scalp (a hat
may hide it all). Attributes whose every value is visible are marked for every value: Male (men:
stubble and thick brows; women: lipstick and earrings), Young (young: rosy cheeks, drawn on 0-19
only; not young: wrinkles and grey hair), skin_tone (the face skin) and age_group (0-19: rosy
cheeks; 35-54 and 55+: wrinkles and grey hair; 20-34 has no age cue, so an empty mask).
"""

from __future__ import annotations

import numpy as np

# The order keeps every mask's parts contiguous, so a mask is one range test on the codes.
PARTS = (
    "background", "pattern", "shirt", "hair", "eye_white", "pupil", "glasses", "hat", "mustache",
    "lips", "mouth_inside", "teeth", "lipstick", "earring",
    "brow", "stubble", "skin", "scalp", "nose", "blush", "wrinkle", "grey_hair",
)
(BACKGROUND, PATTERN, SHIRT, HAIR, EYE_WHITE, PUPIL, GLASSES, HAT, MUSTACHE,
 LIPS, MOUTH_INSIDE, TEETH, LIPSTICK, EARRING,
 BROW, STUBBLE, SKIN, SCALP, NOSE, BLUSH, WRINKLE, GREY_HAIR) = range(len(PARTS))

MOUTH = (LIPS, LIPSTICK, MOUTH_INSIDE, TEETH)
FACE_SKIN = (STUBBLE, SKIN, SCALP, NOSE, BLUSH, WRINKLE)
AGE_OLD = (WRINKLE, GREY_HAIR)

MASK_PARTS: dict[str, dict[int, tuple[int, ...]]] = {
    "Male": {0: (LIPSTICK, EARRING), 1: (STUBBLE, BROW)},
    "Young": {0: AGE_OLD, 1: (BLUSH,)},
    "Bald": {1: (SCALP,)},
    "Mustache": {1: (MUSTACHE,)},
    "Big_Nose": {1: (NOSE,)},
    "Pointy_Nose": {1: (NOSE,)},
    "skin_tone": {k: FACE_SKIN for k in range(4)},
    "age_group": {0: (BLUSH,), 2: AGE_OLD, 3: AGE_OLD},
    "Smiling": {1: MOUTH},
    "Mouth_Slightly_Open": {1: MOUTH},
    "Eyeglasses": {1: (GLASSES,)},
    "Wearing_Hat": {1: (HAT,)},
}


def part_test(part_maps: np.ndarray, parts: tuple[int, ...]) -> np.ndarray:
    """Bool ``[N, H, W]``: pixels whose part is one of ``parts`` (a range test when contiguous)."""
    lo, hi = min(parts), max(parts)
    if hi - lo + 1 == len(set(parts)):
        return (part_maps - np.uint8(lo)) <= np.uint8(hi - lo)  # uint8 wrap-around makes it one test
    return np.isin(part_maps, parts)


def attribute_mask(name: str, part_maps: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Bool ``[N, H, W]``: each image's pixels where attribute ``name`` shows for its class."""
    mask = np.zeros(part_maps.shape, dtype=bool)
    for parts in set(MASK_PARTS[name].values()):
        classes = [c for c, p in MASK_PARTS[name].items() if p == parts]
        chosen = np.isin(values, classes)
        if chosen.all():
            mask |= part_test(part_maps, parts)
        elif chosen.any():
            mask[chosen] |= part_test(part_maps[chosen], parts)
    return mask
