"""The images whose column holds the request's class code(s): what class, class_subset and attribute
requests start from."""

from __future__ import annotations

import torch

from core.data.forget.request import ForgetRequest
from core.data.source import DataError
from core.data.table import ImageTable


def value_mask(table: ImageTable, train: torch.Tensor, req: ForgetRequest) -> torch.Tensor:
    """Bool mask over ``train``: rows whose ``req.column`` is one of ``req.values`` (else ``req.value``);
    a code outside the column's classes is a DataError naming the allowed ones."""
    col = table.column(req.column, "forget.column")
    n = table.num_classes(req.column)
    values = req.values or [req.value]
    bad = [v for v in values if not 0 <= v < n]
    if bad:
        raise DataError(f"forget.value: {bad} not a class of {req.column!r}; allowed: 0..{n - 1} ({table.classes[req.column]})")
    return torch.isin(col[train], torch.tensor(values))
