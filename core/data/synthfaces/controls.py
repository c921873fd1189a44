"""Parse the two bias controls, ``joint`` and ``balance``, from plain strings.

Strings keep the dataset's options plain JSON values (a config file, a CLI flag and a dashboard text
box all hold them as they are):

- ``joint``: ``"A,B:c1,c2,..."`` gives the joint counts of attributes A and B, one per cell in
  row-major order (A's class, then B's): for two binary attributes the cells (0,0),(0,1),(1,0),(1,1).
  The counts either sum to the dataset size (n_identities x images_per_identity) or are proportions
  summing to 1. Several pairs are separated by ``;`` and must not share an attribute.
- ``balance``: ``"Eyeglasses:0.5; skin_tone:2/1/1/1"`` sets class rates: a binary attribute takes
  the rate of 1 ("yes"); any attribute takes ``/``-separated class weights (normalised).
  Entries are separated by ``;`` (or ``,``).

Young is derived from age_group (Young = age_group < 2); either may be controlled, not both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from core.data.synthfaces.attributes import ATTRIBUTES, Attribute
from core.params import ParamError


@dataclass(frozen=True)
class Joint:
    """A requested joint distribution of two attributes (``probs[a, b]`` sums to 1)."""

    first: str
    second: str
    probs: np.ndarray

    def other(self, name: str) -> str:
        return self.second if name == self.first else self.first

    def marginal(self, name: str) -> np.ndarray:
        return self.probs.sum(axis=1 if name == self.first else 0)

    def conditional(self, name: str, other_class: int) -> np.ndarray:
        """Class rates of ``name`` among samples whose other attribute is ``other_class``."""
        row = self.probs[:, other_class] if name == self.first else self.probs[other_class, :]
        return row / row.sum() if row.sum() > 0 else self.marginal(name)


@dataclass(frozen=True)
class Controls:
    """All parsed controls; ``joint_of``/``balance`` say what, if anything, decides an attribute."""

    joints: list[Joint] = field(default_factory=list)
    balance: dict[str, np.ndarray] = field(default_factory=dict)

    def joint_of(self, name: str) -> Joint | None:
        return next((j for j in self.joints if name in (j.first, j.second)), None)

    def controls(self, name: str) -> bool:
        return name in self.balance or self.joint_of(name) is not None


def _attribute(name: str, where: str) -> Attribute:
    if name not in ATTRIBUTES:
        raise ParamError(f"{where}: unknown attribute {name!r}; allowed: {', '.join(ATTRIBUTES)}")
    return ATTRIBUTES[name]


def _numbers(text: str, sep: str, where: str) -> np.ndarray:
    try:
        values = np.array([float(v) for v in text.split(sep)], dtype=np.float64)
    except ValueError:
        raise ParamError(f"{where}: {text!r} is not a list of numbers separated by {sep!r}") from None
    if (values < 0).any() or not np.isfinite(values).all() or values.sum() <= 0:
        raise ParamError(f"{where}: values must be finite, non-negative and not all zero")
    return values


def _rate(text: str, where: str) -> float:
    try:
        rate = float(text)
    except ValueError:
        raise ParamError(f"{where}: {text!r} is not a number") from None
    if not 0 <= rate <= 1:
        raise ParamError(f"{where}: a rate must lie in [0, 1], got {rate:g}")
    return rate


def parse_joint_entry(entry: str, total: int) -> Joint:
    """One ``"A,B:c1,...,ck"`` entry; counts must sum to ``total`` or be proportions summing to 1."""
    where = f"joint {entry!r}"
    names, sep, numbers = entry.partition(":")
    pair = [n.strip() for n in names.split(",")]
    if not sep or len(pair) != 2 or not all(pair):
        raise ParamError(f"{where}: expected 'A,B:c1,c2,...' (two attribute names, a colon, the cell counts)")
    if pair[0] == pair[1]:
        raise ParamError(f"{where}: the two attributes must differ")
    a, b = (_attribute(n, where) for n in pair)
    values = _numbers(numbers, ",", where)
    shape = (len(a.classes), len(b.classes))
    if len(values) != shape[0] * shape[1]:
        raise ParamError(
            f"{where}: {len(values)} values given, {shape[0]}x{shape[1]}={shape[0] * shape[1]} needed "
            f"(one per cell ({a.name}, {b.name}) in order (0,0),(0,1),...)"
        )
    s = values.sum()
    if abs(s - total) > 1e-9 and abs(s - 1.0) > 1e-6:
        raise ParamError(
            f"{where}: counts sum to {s:g} but the dataset has {total} images "
            f"(n_identities x images_per_identity); give counts summing to {total} or proportions summing to 1"
        )
    return Joint(a.name, b.name, (values / s).reshape(shape))


def parse_balance_entry(entry: str) -> tuple[str, np.ndarray]:
    """One ``"Name:p"`` (binary rate of 1) or ``"Name:w0/w1/..."`` (class weights) entry."""
    where = f"balance {entry!r}"
    name, sep, numbers = entry.partition(":")
    if not sep:
        raise ParamError(f"{where}: expected 'Name:rate' or 'Name:w0/w1/...'")
    attr = _attribute(name.strip(), where)
    if "/" not in numbers and len(attr.classes) == 2:
        rate = _rate(numbers, where)
        return attr.name, np.array([1 - rate, rate])
    values = _numbers(numbers, "/", where)
    if len(values) != len(attr.classes):
        raise ParamError(
            f"{where}: {len(values)} weights given, {attr.name} has {len(attr.classes)} classes "
            f"({'/'.join(attr.classes)})"
        )
    return attr.name, values / values.sum()


def parse_controls(joint: str, balance: str, total: int) -> Controls:
    """Both option strings, checked for conflicts (an attribute decided twice)."""
    joints = [parse_joint_entry(e.strip(), total) for e in joint.split(";") if e.strip()]
    rates = dict(parse_balance_entry(e.strip()) for e in re.split(r"[;,]", balance) if e.strip())
    named = [n for j in joints for n in (j.first, j.second)] + list(rates)
    for name in set(named):
        if named.count(name) > 1:
            raise ParamError(f"{name} is controlled more than once in joint/balance; give it one control")
    if "Young" in named and "age_group" in named:
        raise ParamError("Young is derived from age_group (Young = age_group < 2); control only one of them")
    return Controls(joints, rates)
