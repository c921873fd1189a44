"""Forget requests: what the user asks to forget, turned into a forget set inside train.

Each kind (samples, identities, class, class_subset, attribute, ...) is one function registered in
``FORGET_KINDS``: ``select(table, train_idx, request, generator) -> bool mask over train_idx``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Callable

import torch

from core.data.source import DataError
from core.data.table import ImageTable
from core.params import param
from core.registry import Registry


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
        """What is forgotten, in a person's words: "Eyeglasses", "people 4, 17", "30% of class 1 of age_group"."""
        shown = ", ".join(map(str, self.identities[:6])) + (" …" if len(self.identities) > 6 else "")
        if self.kind == "identities":
            return f"people {shown}" if self.identities else f"{self.count or 'some'} random people"
        if self.kind == "samples":
            return f"{len(self.samples)} sample{'s' if len(self.samples) != 1 else ''}"
        if self.kind == "attribute":
            return self.column or "an attribute"
        if self.kind == "class":
            return f"{self.column} class{'es' if len(self.values) > 1 else ''} {', '.join(map(str, self.values or [self.value]))}"
        if self.kind == "class_subset":
            part = f"{self.fraction:.0%}" if self.fraction else str(self.count)
            return f"{part} of {self.column} class {self.value}"
        return f"{kind_label(self.kind).lower()}" + (f" ({self.column})" if self.column else "")

    def describe(self) -> str:
        parts = [self.kind]
        for name in ("identities", "samples", "column", "values", "count", "fraction"):
            v = getattr(self, name)
            if v:
                parts.append(f"{name}={v}")
        return " ".join(parts)


def resolve_identities(table: ImageTable, wanted: list) -> list[int]:
    """Codes of the requested identities, each given as a code or as the user's name of it; an
    unknown one is a DataError listing the names (and codes) there are."""
    by_name = {name: code for code, name in table.identity_names.items()}
    known = set(table.identity.unique().tolist())
    codes, unknown = [], []
    for who in wanted:
        if isinstance(who, str) and who in by_name:
            codes.append(by_name[who])
        elif isinstance(who, int) and who in known:
            codes.append(who)
        elif isinstance(who, str) and who.isdigit() and int(who) in known:
            codes.append(int(who))
        else:
            unknown.append(who)
    if unknown:
        some = ", ".join(table.identity_label(c) for c in sorted(known)[:20])
        raise DataError(f"forget.identities: {unknown[:10]} are not identities of {table.name!r}; "
                        f"give a code or a name, e.g. {some}{' ...' if len(known) > 20 else ''}")
    return codes


Selector = Callable[[ImageTable, torch.Tensor, ForgetRequest, torch.Generator], torch.Tensor]
FORGET_KINDS: Registry[Selector] = Registry("forget kind")
# What a person reads for each kind (forms, titles, reports): declared beside each registration below.
KIND_LABELS: dict[str, str] = {}


def kind_label(kind: str) -> str:
    """The human label of a forget kind ("Part of a class" for class_subset); its name, spaced, if none."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()



def _value_mask(table: ImageTable, train: torch.Tensor, req: ForgetRequest, field_name: str) -> torch.Tensor:
    col = table.column(req.column, field_name)
    n = table.num_classes(req.column)
    values = req.values or [req.value]
    bad = [v for v in values if not 0 <= v < n]
    if bad:
        raise DataError(f"forget.value: {bad} not a class of {req.column!r}; allowed: 0..{n - 1} ({table.classes[req.column]})")
    return torch.isin(col[train], torch.tensor(values))


KIND_LABELS["identities"] = "People"


@FORGET_KINDS.register("identities", "every image of the chosen people (identities) in train")
def _identities(table, train, req, gen):
    if table.identity is None:
        raise DataError(f"forget.kind: dataset {table.name!r} has no identities; use samples, class or attribute")
    ids_in_train = table.identity[train].unique()
    chosen = torch.tensor(resolve_identities(table, req.identities), dtype=torch.long)
    if req.count and not req.identities:
        if req.count >= len(ids_in_train):
            raise DataError(f"forget.count: {req.count} identities is all of train's {len(ids_in_train)}; choose fewer")
        chosen = ids_in_train[torch.randperm(len(ids_in_train), generator=gen)[: req.count]]
    missing = sorted(set(chosen.tolist()) - set(ids_in_train.tolist()))
    if missing:
        shown = ", ".join(table.identity_label(c) for c in missing[:10])
        some = ", ".join(table.identity_label(c) for c in ids_in_train[:20].tolist())
        raise DataError(f"forget.identities: {shown} are not in the training split (they are test/unseen); "
                        f"pick from {some}...")
    return torch.isin(table.identity[train], chosen)


KIND_LABELS["samples"] = "Individual images"


@FORGET_KINDS.register("samples", "explicit samples by id (file name) or row number")
def _samples(table, train, req, gen):
    ids = table.ids or [str(i) for i in range(len(table))]
    row = {s: i for i, s in enumerate(ids)}
    rows = []
    for s in req.samples:
        if s in row:
            rows.append(row[s])
        elif str(s).isdigit() and int(s) < len(table):
            rows.append(int(s))
        else:
            raise DataError(f"forget.samples: unknown sample {s!r}; use a sample id such as {ids[0]!r} or a row number")
    mask = torch.isin(train, torch.tensor(rows, dtype=torch.long))
    if mask.sum() < len(set(rows)):
        raise DataError("forget.samples: some samples are not in the training split (they are test/unseen)")
    return mask


KIND_LABELS["class"] = "A whole class"


@FORGET_KINDS.register("class", "every training image of one or more classes of a column")
def _class(table, train, req, gen):
    return _value_mask(table, train, req, "forget.column")


KIND_LABELS["class_subset"] = "Part of a class"


@FORGET_KINDS.register("class_subset", "a random part (fraction or count) of one class")
def _class_subset(table, train, req, gen):
    in_class = _value_mask(table, train, req, "forget.column").nonzero().squeeze(1)
    k = req.count or int(round(req.fraction * len(in_class)))
    if k <= 0 or k > len(in_class):
        raise DataError(f"forget.count/fraction: asks for {k} of the class's {len(in_class)} training images")
    mask = torch.zeros(len(train), dtype=torch.bool)
    mask[in_class[torch.randperm(len(in_class), generator=gen)[:k]]] = True
    return mask


KIND_LABELS["attribute"] = "An attribute (e.g. glasses)"


@FORGET_KINDS.register("attribute", "an annotated attribute; its sample-level forget set is the images that have it")
def _attribute(table, train, req, gen):
    return _value_mask(table, train, req, "forget.column")


def select_forget(table: ImageTable, train: torch.Tensor, req: ForgetRequest, seed: int) -> torch.Tensor:
    """Bool mask over ``train`` for the forget set, checked for empty and all-of-train."""
    gen = torch.Generator().manual_seed(seed)
    mask = FORGET_KINDS.get(req.kind)(table, train, req, gen)
    if int(mask.sum()) == 0:
        raise DataError(f"forget: the request ({req.describe()}) selects no training image; widen it")
    if bool(mask.all()):
        raise DataError(f"forget: the request ({req.describe()}) selects all of train; nothing would be left to retain")
    return mask
