"""A forget request: the kind plus its targets, as a scenario's ``forget`` section gives them."""

from __future__ import annotations

import numbers
from dataclasses import dataclass

from core.data.forget.kind import find_kind, label_title
from core.params import param


@dataclass
class ForgetRequest:
    """Kind plus targets; which fields matter depends on the kind. Every field is checked on creation,
    so a negative count (which used to forget all but that many people) is refused, not inverted."""

    kind: str = param("identities", "what to forget (see `unlearn list`: forget kinds)")
    # Each identity is its code (a whole number >= 0) or the user's own name of it (a CSV's "alice").
    identities: list = param([], "people to forget, by code or by name")
    samples: list[str] = param([], "sample ids (file names) or row numbers")
    column: str = param("", "the column of a class, class_subset or attribute request")
    value: int = param(1, "the class code of ``column`` to forget", min=0)
    values: list[int] = param([], "several class codes of ``column``")
    count: int = param(0, "how many (people, or images of the class); 0 = not set", min=0)
    fraction: float = param(0.0, "share of the class's training images, in (0, 1]; 0 = not set", min=0.0, max=1.0)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind:
            raise ValueError(f"forget.kind: {self.kind!r} is not a kind name; see `unlearn list` (forget kinds)")
        if not isinstance(self.identities, list):
            raise ValueError(f"forget.identities: {self.identities!r} is not a list; give codes or names, e.g. [4, 17]")
        self.identities = [int(w) if isinstance(w, numbers.Integral) and not isinstance(w, bool) else w
                           for w in self.identities]  # numpy/torch integers are codes too
        for who in self.identities:
            if isinstance(who, bool) or not isinstance(who, (int, str)) or who == "":
                raise ValueError(f"forget.identities: {who!r} is neither an identity code (a whole number) nor a name")
            if isinstance(who, int) and who < 0:
                raise ValueError(f"forget.identities: {who} is negative; identity codes are whole numbers from 0")
        bad = [v for v in [self.value, *self.values] if isinstance(v, bool) or not isinstance(v, int) or v < 0]
        if bad:
            raise ValueError(f"forget.value(s): {bad} are not class codes (whole numbers from 0)")
        for name in ("count", "value"):
            if getattr(self, name) < 0:
                raise ValueError(f"forget.{name}: {getattr(self, name)} is negative; give a number >= 0 (0 = not set)")
        if not (0.0 <= self.fraction <= 1.0):  # also false for NaN
            raise ValueError(f"forget.fraction: {self.fraction} is outside (0, 1]; give a share such as 0.1 (0 = not set)")

    def title(self) -> str:
        """What is forgotten, in a person's words ("Eyeglasses", "people 4, 17", "30% of class 1 of
        age_group"), as the kind's declaration says it."""
        declared = find_kind(self.kind)
        return declared.title(self) if declared else label_title(self)

    def describe(self) -> str:
        parts = [self.kind]
        for name in ("identities", "samples", "column", "values", "count", "fraction"):
            v = getattr(self, name)
            if v:
                parts.append(f"{name}={v}")
        return " ".join(parts)
