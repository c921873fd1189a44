"""Forget kind ``samples``: explicit images, by sample id (file name) or row number."""

from __future__ import annotations

import torch

from core.data.forget.kind import ForgetKind, register_kind
from core.data.forget.request import ForgetRequest
from core.data.source import DataError
from core.data.table import ImageTable


def select(table: ImageTable, train: torch.Tensor, req: ForgetRequest, gen: torch.Generator) -> torch.Tensor:
    """The named training images; an unknown id, or one outside train, is a DataError."""
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


def title(req: ForgetRequest) -> str:
    """"3 samples"."""
    return f"{len(req.samples)} sample{'s' if len(req.samples) != 1 else ''}"


def empty_reason(req: ForgetRequest) -> str | None:
    """No sample named yet."""
    return None if req.samples else "Type at least one sample id or row number."


SAMPLES = register_kind(ForgetKind(
    name="samples", label="Individual images", unit="image", fields=("samples",),
    help="Forget individual images, by sample id (file name) or row number.",
    description="explicit samples by id (file name) or row number",
    select=select, title=title, empty_reason=empty_reason))
