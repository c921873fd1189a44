"""Forget kind ``attribute``: an annotated attribute the model should stop encoding; its images
(``column`` == ``value``) are the sample-level forget set."""

from __future__ import annotations

import torch

from core.data.forget.kind import ForgetKind, register_kind
from core.data.forget.request import ForgetRequest
from core.data.forget.values import value_mask
from core.data.table import ImageTable


def select(table: ImageTable, train: torch.Tensor, req: ForgetRequest, gen: torch.Generator) -> torch.Tensor:
    """The training images that have the attribute value."""
    return value_mask(table, train, req)


def title(req: ForgetRequest) -> str:
    """The attribute's column: "Eyeglasses"."""
    return req.column or "an attribute"


ATTRIBUTE = register_kind(ForgetKind(
    name="attribute", label="An attribute (e.g. glasses)", unit="image", fields=("column", "value"),
    help="Forget an attribute: the model should no longer encode it (its images form the forget set).",
    description="an annotated attribute; its sample-level forget set is the images that have it",
    select=select, title=title))
