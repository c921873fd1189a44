"""Forget kind ``class``: every training image of one or more classes of a column."""

from __future__ import annotations

import torch

from core.data.forget.kind import ForgetKind, register_kind
from core.data.forget.request import ForgetRequest
from core.data.forget.values import value_mask
from core.data.table import ImageTable


def select(table: ImageTable, train: torch.Tensor, req: ForgetRequest, gen: torch.Generator) -> torch.Tensor:
    """The training images of the class codes ``values`` (else ``value``) of ``column``."""
    return value_mask(table, train, req)


def title(req: ForgetRequest) -> str:
    """"digit class 3", "Male classes 0, 1"."""
    codes = req.values or [req.value]
    return f"{req.column} class{'es' if len(req.values) > 1 else ''} {', '.join(map(str, codes))}"


WHOLE_CLASS = register_kind(ForgetKind(
    name="class", label="A whole class", unit="image", fields=("column", "values"),
    help="Forget every training image of one or more classes of a column.",
    description="every training image of one or more classes of a column",
    select=select, title=title))
