"""The whitespace-separated annotation files of CelebA and CelebA-HQ.

Two shapes: an attribute table (a line with the image count, a line of attribute names, then
``file v1 v2 ...`` with values -1/1), read by both the ``celeba`` and ``mucac`` readers; and a
two-column list (``file value``: identities, partitions).
"""

from __future__ import annotations

from pathlib import Path

import torch

from core.data.source import DataError

BINARY_CLASSES = ["no", "yes"]


def _lines(path: Path, dataset: str) -> list[str]:
    if not path.is_file():
        raise DataError(f"{dataset}: missing annotation file {path}; put the dataset's {path.name} there")
    with open(path, encoding="utf-8") as f:
        return [line for line in f.read().splitlines() if line.strip()]


def read_attr_table(path: Path, dataset: str) -> tuple[list[str], list[str], torch.Tensor]:
    """File names, attribute names and the 0/1 matrix ``[N, A]`` (-1 and 0 read as 0, 1 as 1)."""
    lines = _lines(path, dataset)
    if len(lines) < 2 or not lines[0].strip().isdigit():
        raise DataError(
            f"{dataset}: {path} is not an attribute table: expected a line with the image count, "
            "a line of attribute names, then one line per image"
        )
    names = lines[1].split()
    files, values = [], []
    for number, line in enumerate(lines[2:], start=3):
        parts = line.split()
        if len(parts) != len(names) + 1:
            raise DataError(
                f"{dataset}: {path} line {number} has {len(parts) - 1} values for {len(names)} attributes: {line[:80]!r}"
            )
        try:
            row = [int(v) for v in parts[1:]]
        except ValueError:
            raise DataError(f"{dataset}: {path} line {number} has a value that is not -1, 0 or 1: {line[:80]!r}") from None
        if any(v not in (-1, 0, 1) for v in row):
            raise DataError(f"{dataset}: {path} line {number} has a value that is not -1, 0 or 1: {line[:80]!r}")
        files.append(parts[0])
        values.append(row)
    matrix = (torch.tensor(values, dtype=torch.int64) > 0).long() if values else torch.zeros((0, len(names)), dtype=torch.int64)
    return files, names, matrix


def read_pairs(path: Path, dataset: str) -> dict[str, int]:
    """``file -> integer`` from a two-column list (identity or partition files)."""
    out: dict[str, int] = {}
    for number, line in enumerate(_lines(path, dataset), start=1):
        parts = line.split()
        if len(parts) != 2 or not parts[1].lstrip("-").isdigit():
            raise DataError(f"{dataset}: {path} line {number} is not 'file number': {line[:80]!r}")
        out[parts[0]] = int(parts[1])
    return out


def lookup(table: dict[str, int], files: list[str], path: Path, dataset: str) -> torch.Tensor:
    """The value of each file in ``table``; a DataError naming the first file the list lacks."""
    missing = next((f for f in files if f not in table), None)
    if missing is not None:
        raise DataError(f"{dataset}: {path} has no line for image {missing}; use the annotation files of the same release")
    return torch.tensor([table[f] for f in files], dtype=torch.int64)
