"""Forget requests: what the user asks to forget, turned into a forget set inside train.

Each kind (samples, identities, class, class_subset, attribute, ...) is one function registered in
``FORGET_KINDS``: ``select(table, train_idx, request, generator) -> bool mask over train_idx``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch

from core.data.source import DataError
from core.data.table import ImageTable
from core.registry import Registry


@dataclass
class ForgetRequest:
    """Kind plus targets; which fields matter depends on the kind."""

    kind: str = "identities"
    identities: list[int] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    column: str = ""
    value: int = 1
    values: list[int] = field(default_factory=list)
    count: int = 0
    fraction: float = 0.0

    def describe(self) -> str:
        parts = [self.kind]
        for name in ("identities", "samples", "column", "values", "count", "fraction"):
            v = getattr(self, name)
            if v:
                parts.append(f"{name}={v}")
        return " ".join(parts)


Selector = Callable[[ImageTable, torch.Tensor, ForgetRequest, torch.Generator], torch.Tensor]
FORGET_KINDS: Registry[Selector] = Registry("forget kind")


def _value_mask(table: ImageTable, train: torch.Tensor, req: ForgetRequest, field_name: str) -> torch.Tensor:
    col = table.column(req.column, field_name)
    n = table.num_classes(req.column)
    values = req.values or [req.value]
    bad = [v for v in values if not 0 <= v < n]
    if bad:
        raise DataError(f"forget.value: {bad} not a class of {req.column!r}; allowed: 0..{n - 1} ({table.classes[req.column]})")
    return torch.isin(col[train], torch.tensor(values))


@FORGET_KINDS.register("identities", "every image of the chosen people (identities) in train")
def _identities(table, train, req, gen):
    if table.identity is None:
        raise DataError(f"forget.kind: dataset {table.name!r} has no identities; use samples, class or attribute")
    ids_in_train = table.identity[train].unique()
    chosen = torch.tensor(req.identities, dtype=torch.long)
    if req.count and not req.identities:
        if req.count >= len(ids_in_train):
            raise DataError(f"forget.count: {req.count} identities is all of train's {len(ids_in_train)}; choose fewer")
        chosen = ids_in_train[torch.randperm(len(ids_in_train), generator=gen)[: req.count]]
    missing = sorted(set(chosen.tolist()) - set(ids_in_train.tolist()))
    if missing:
        raise DataError(f"forget.identities: {missing[:10]} are not in the training split; pick from {ids_in_train[:20].tolist()}...")
    return torch.isin(table.identity[train], chosen)


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


@FORGET_KINDS.register("class", "every training image of one or more classes of a column")
def _class(table, train, req, gen):
    return _value_mask(table, train, req, "forget.column")


@FORGET_KINDS.register("class_subset", "a random part (fraction or count) of one class")
def _class_subset(table, train, req, gen):
    in_class = _value_mask(table, train, req, "forget.column").nonzero().squeeze(1)
    k = req.count or int(round(req.fraction * len(in_class)))
    if k <= 0 or k > len(in_class):
        raise DataError(f"forget.count/fraction: asks for {k} of the class's {len(in_class)} training images")
    mask = torch.zeros(len(train), dtype=torch.bool)
    mask[in_class[torch.randperm(len(in_class), generator=gen)[:k]]] = True
    return mask


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
