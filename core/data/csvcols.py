"""CSV annotation files -> integer class codes with class names, and clear errors for bad columns."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Sequence

import torch

from core.data.source import DataError


def read_csv(path: Path, dataset: str) -> tuple[list[str], list[dict[str, str]]]:
    """The header and rows of a CSV file (comma separated, optional UTF-8 BOM), values stripped."""
    if not path.is_file():
        raise DataError(f"{dataset}: missing annotation file {path}; put the dataset's {path.name} there")
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if not header:
            raise DataError(f"{dataset}: annotation file {path} is empty; it needs a header line naming its columns")
        reader.fieldnames = header
        rows = [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]
    return header, rows


def require_columns(path: Path, header: Sequence[str], names: Sequence[str], dataset: str) -> None:
    """A DataError naming the file, the missing column(s) and the columns present."""
    missing = [n for n in names if n not in header]
    if missing:
        raise DataError(
            f"{dataset}: {path} has no column {', '.join(repr(m) for m in missing)}; "
            f"columns present: {', '.join(h for h in header if h) or '(none)'}"
        )


def _natural_key(values: set[str]) -> list[str]:
    """Whole numbers sort by value ("2" before "10"); anything else alphabetically."""
    try:
        return sorted(values, key=int)
    except ValueError:
        return sorted(values)


def column_values(path: Path, rows: Sequence[dict[str, str]], column: str, dataset: str) -> list[str]:
    """One column's values; an empty cell is a DataError naming the file, line and column."""
    values = [row.get(column, "") for row in rows]
    for i, v in enumerate(values):
        if v == "":
            raise DataError(
                f"{dataset}: {path} line {i + 2} has no value in column {column!r}; fill it in or drop the line"
            )
    return values


def encode_column(values: Sequence[str], order: Sequence[str] | None = None) -> tuple[torch.Tensor, list[str]]:
    """Codes (int64) and class names for one categorical column.

    With ``order`` the known classes keep those codes (stable across files and subsets) and any other
    value is appended after them; without it the classes are the distinct values in natural order.
    """
    known = list(order or [])
    classes = known + _natural_key(set(values) - set(known))
    index = {name: code for code, name in enumerate(classes)}
    return torch.tensor([index[v] for v in values], dtype=torch.int64), classes


def identity_codes(values: Sequence[str]) -> torch.Tensor:
    """Identity ids: whole numbers are kept as they are (so "person 17" stays 17); other names become codes."""
    try:
        return torch.tensor([int(v) for v in values], dtype=torch.int64)
    except ValueError:
        classes = {name: code for code, name in enumerate(sorted(set(values)))}
        return torch.tensor([classes[v] for v in values], dtype=torch.int64)
