"""Forget kind ``class_subset``: a random part (a fraction or a count) of one class's training images."""

from __future__ import annotations

import torch

from core.data.forget.kind import ForgetKind, register_kind
from core.data.forget.request import ForgetRequest
from core.data.forget.values import value_mask
from core.data.source import DataError
from core.data.table import ImageTable


def select(table: ImageTable, train: torch.Tensor, req: ForgetRequest, gen: torch.Generator) -> torch.Tensor:
    """``count`` (else ``fraction`` of the class) training images of class ``value``, drawn with ``gen``."""
    in_class = value_mask(table, train, req).nonzero().squeeze(1)
    k = req.count or int(round(req.fraction * len(in_class)))
    if k <= 0 or k > len(in_class):
        raise DataError(f"forget.count/fraction: asks for {k} of the class's {len(in_class)} training images")
    mask = torch.zeros(len(train), dtype=torch.bool)
    mask[in_class[torch.randperm(len(in_class), generator=gen)[:k]]] = True
    return mask


def title(req: ForgetRequest) -> str:
    """"30% of digit class 3", or "12 of digit class 3" for a count."""
    part = f"{req.fraction:.0%}" if req.fraction else str(req.count)
    return f"{part} of {req.column} class {req.value}"


CLASS_SUBSET = register_kind(ForgetKind(
    name="class_subset", label="Part of a class", unit="image", fields=("column", "value", "fraction"),
    help="Forget a random part of one class.",
    description="a random part (fraction or count) of one class",
    select=select, title=title))
