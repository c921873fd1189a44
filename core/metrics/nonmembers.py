"""Which unseen images are the membership attacks' non-members: matched to what defines the forget set.

A membership attack compares the forget set (members) with images no model trained on
(non-members, from the ``unseen`` split). When the forget set is defined by a value of a column
(a class, part of a class, an attribute, a pattern request naming a column), all of ``unseen`` differs from it in that value too, and
an attacker tells the two apart by the value, not by membership: forgetting class 0, a gold model
that never saw class 0 still "recognises" the forget set, because class-0 images have a high loss
under it and the other classes' do not. So for those kinds the non-members are the unseen images
with the same value(s) of the same column; for identities and explicit samples, which are not
defined by a column, they are all of ``unseen`` (identity-disjoint by construction).

Where no unseen image matches, there are no honest non-members: the attacks return NaN and the
reason is recorded in ``ev.extras["nonmembers"]`` (see :func:`record`) for the dashboard and report.
This module is the one place that decides; every attack reading forget vs unseen goes through
:func:`matched_unseen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from core.data.splits import Splits
from core.registry import Registry


@dataclass(frozen=True)
class NonMembers:
    """A bool ``mask`` over ``splits.unseen`` (which unseen images count), how they were chosen, and
    ``reason`` (non-empty only when none qualify: why the attack cannot be read)."""

    mask: torch.Tensor
    rule: str
    reason: str = ""

    @property
    def count(self) -> int:
        return int(self.mask.sum())

    def index(self, splits: Splits) -> torch.Tensor:
        """Row indices into ``splits.table`` of the non-members."""
        return splits.unseen[self.mask]

    def summary(self) -> dict[str, object]:
        """What the dashboard and report show: the rule, how many, and why none (if so)."""
        out: dict[str, object] = {"rule": self.rule, "count": self.count}
        if self.reason:
            out["reason"] = self.reason
        return out


Matcher = Callable[[Splits], NonMembers]
NONMEMBER_RULES: Registry[Matcher] = Registry("non-member rule")


def _all_unseen(splits: Splits) -> NonMembers:
    n = len(splits.unseen)
    reason = "" if n else "the unseen split is empty, so there is no never-trained-on image to compare with"
    return NonMembers(torch.ones(n, dtype=torch.bool), "all unseen images (identity-disjoint from train)", reason)


def _same_value(splits: Splits) -> NonMembers:
    req = splits.request
    values = req.values or [req.value]
    names = splits.table.classes.get(req.column, [])
    shown = ", ".join(names[v] if 0 <= v < len(names) else str(v) for v in values)
    col = splits.table.column(req.column, "forget.column")[splits.unseen]
    mask = torch.isin(col, torch.tensor(values, dtype=col.dtype))
    rule = f"unseen images with {req.column} = {shown}, as the forget set"
    reason = "" if mask.any() else (
        f"no unseen image has {req.column} = {shown}, so there are no non-members like the forget set; an attack "
        "against other values would detect the value, not membership (use a larger dataset or unseen_fraction)")
    return NonMembers(mask, rule, reason)


for _kind in ("identities", "samples"):
    NONMEMBER_RULES.add(_kind, _all_unseen, "all unseen images: the request is not defined by a column value")
for _kind in ("class", "class_subset", "attribute"):
    NONMEMBER_RULES.add(_kind, _same_value, "unseen images with the forget set's value of forget.column")
NONMEMBER_RULES.add("pattern", lambda splits: (_same_value if splits.request.column else _all_unseen)(splits),
                    "a pattern request's audit set: by its column's value when it names one, else all unseen")


def matched_unseen(splits: Splits) -> NonMembers:
    """The non-members for ``splits``' forget request. Every forget kind needs a rule here (a new kind
    must decide what its non-members are; tests/metrics/test_attack_soundness.py checks it)."""
    return NONMEMBER_RULES.get(splits.request.kind)(splits)
