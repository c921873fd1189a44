"""Sample every attribute of every image, honouring the joint/balance controls.

Per-identity attributes are drawn once per person and repeated over the person's images; per-image
ones are drawn per photo. A controlled attribute gets exact counts (largest-remainder rounding, then
a random order); when a joint pairs a per-identity attribute with a per-image one, the identity
attribute's marginal is met by choosing how many people have it (nearest achievable when the counts
are not multiples of images_per_identity) and the per-image attribute is drawn conditionally inside
each group, which is how a biased set like "Mouth_Slightly_Open vs Male: 2000/16000/16000/2000" is
met with Male fixed per person. Uncontrolled attributes follow their defaults (attributes.py),
some of them conditional on others (baldness and moustaches on men, baldness with age).
"""

from __future__ import annotations

import numpy as np

from core.data.synthfaces.attributes import ATTRIBUTES, IDENTITY, YOUNG_BELOW
from core.data.synthfaces.controls import Controls

IDENTITY_ORDER = ("Male", "age_group", "skin_tone", "Big_Nose", "Pointy_Nose", "Bald", "Mustache")
IMAGE_ORDER = ("Smiling", "Mouth_Slightly_Open", "Eyeglasses", "Wearing_Hat")


def largest_remainder(probs: np.ndarray, n: int) -> np.ndarray:
    """Integer counts summing to ``n`` that are closest to ``probs * n``."""
    raw = np.asarray(probs, dtype=np.float64) * n
    counts = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - counts), kind="stable")
    counts[order[: n - counts.sum()]] += 1
    return counts


def exact_draw(rng: np.random.Generator, n: int, probs: np.ndarray) -> np.ndarray:
    """``n`` class codes with exactly the rounded counts of ``probs``, in random order."""
    return rng.permutation(np.repeat(np.arange(len(probs)), largest_remainder(probs, n)))


def _default(name: str, values: dict[str, np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    """Uncontrolled attributes: baldness and moustaches mostly on men, baldness rising with age."""
    if name == "Bald":
        rate = np.where(values["Male"] == 1, 0.06 + 0.08 * values["age_group"], 0.02)
    elif name == "Mustache":
        rate = np.where(values["Male"] == 1, 0.35, 0.0)
    else:
        return rng.choice(len(ATTRIBUTES[name].probs), size=n, p=ATTRIBUTES[name].probs)
    return (rng.random(n) < rate).astype(np.int64)


def _settle_age(values: dict[str, np.ndarray], rng: np.random.Generator) -> None:
    """Keep Young and age_group consistent: derive whichever of the two is still missing."""
    if "Young" in values and "age_group" not in values:
        probs = np.array(ATTRIBUTES["age_group"].probs)
        young, old = probs[:YOUNG_BELOW] / probs[:YOUNG_BELOW].sum(), probs[YOUNG_BELOW:] / probs[YOUNG_BELOW:].sum()
        n = len(values["Young"])
        values["age_group"] = np.where(
            values["Young"] == 1, rng.choice(YOUNG_BELOW, n, p=young), YOUNG_BELOW + rng.choice(len(old), n, p=old)
        )
    elif "age_group" in values and "Young" not in values:
        values["Young"] = (values["age_group"] < YOUNG_BELOW).astype(np.int64)


def identity_attributes(n: int, controls: Controls, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Each per-identity attribute for ``n`` people."""
    values: dict[str, np.ndarray] = {}
    for name in IDENTITY_ORDER:
        if name == "age_group" and controls.controls("Young"):
            name = "Young"
        if name in values:
            continue
        joint = controls.joint_of(name)
        if joint and ATTRIBUTES[joint.other(name)].level == IDENTITY:
            cells = exact_draw(rng, n, joint.probs.ravel())
            values[joint.first], values[joint.second] = np.divmod(cells, joint.probs.shape[1])
        elif joint:
            values[name] = exact_draw(rng, n, joint.marginal(name))
        elif name in controls.balance:
            values[name] = exact_draw(rng, n, controls.balance[name])
        else:
            values[name] = _default(name, values, n, rng)
        _settle_age(values, rng)
    return {k: v.astype(np.int64) for k, v in values.items()}


def image_attributes(per_image: dict[str, np.ndarray], controls: Controls, rng: np.random.Generator) -> None:
    """Add each per-image attribute to ``per_image`` (per-identity ones already repeated per image)."""
    n = len(per_image["Male"])
    for name in IMAGE_ORDER:
        if name in per_image:
            continue
        joint = controls.joint_of(name)
        if joint and ATTRIBUTES[joint.other(name)].level == IDENTITY:
            per_image[name] = _conditional(per_image[joint.other(name)], joint, name, rng)
        elif joint:
            cells = exact_draw(rng, n, joint.probs.ravel())
            per_image[joint.first], per_image[joint.second] = np.divmod(cells, joint.probs.shape[1])
        elif name in controls.balance:
            per_image[name] = exact_draw(rng, n, controls.balance[name])
        else:
            per_image[name] = rng.choice(len(ATTRIBUTES[name].probs), size=n, p=ATTRIBUTES[name].probs)


def _conditional(other: np.ndarray, joint, name: str, rng: np.random.Generator) -> np.ndarray:
    """``name`` drawn with exact conditional counts inside each class of the other attribute."""
    out = np.zeros(len(other), dtype=np.int64)
    for c in range(joint.probs.shape[0 if joint.other(name) == joint.first else 1]):
        where = np.flatnonzero(other == c)
        out[where] = exact_draw(rng, len(where), joint.conditional(name, c))
    return out

