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


def _is_number_id(value: str) -> bool:
    """A whole number written as such ("17", not "017" or "-3"): kept as its own code."""
    return value.isdigit() and str(int(value)) == value


def identity_codes(values: Sequence[str]) -> tuple[torch.Tensor, dict[int, str]]:
    """Identity codes and the names of the codes that are not their own name.

    Whole numbers keep their number as code (person 17 stays 17, whatever else the column holds);
    every other name ("alice", "017") gets a code after the largest number, in alphabetical order,
    and is listed in the returned ``code -> name`` map, so a request may name either.
    """
    numbers = {int(v) for v in values if _is_number_id(v)}
    start = max(numbers, default=-1) + 1
    named = {name: start + i for i, name in enumerate(sorted({v for v in values if not _is_number_id(v)}))}
    codes = [int(v) if _is_number_id(v) else named[v] for v in values]
    return torch.tensor(codes, dtype=torch.int64), {code: name for name, code in named.items()}


def refuse_duplicates(path: Path, files: Sequence[str], dataset: str, owners: Sequence[str] | None = None) -> None:
    """A DataError naming the CSV lines where one image file is listed twice (with the two people
    when it is listed under both): a duplicate would put one image in forget and in retain or unseen."""
    first: dict[str, int] = {}
    clashes = []
    for i, name in enumerate(files):
        key = str(Path(name))
        if key in first:
            j = first[key]
            who = ""
            if owners is not None and owners[i] != owners[j]:
                who = f" under two identities ({owners[j]!r} and {owners[i]!r})"
            clashes.append(f"{name!r} on lines {j + 2} and {i + 2}{who}")
        else:
            first[key] = i
    if clashes:
        more = f" and {len(clashes) - 3} more" if len(clashes) > 3 else ""
        raise DataError(f"{dataset}: {path} lists the same image more than once: {'; '.join(clashes[:3])}{more}; "
                        "keep one line per image file")
