"""Which rows a scenario would train on, before any forget request exists.

The dashboard's Forget page offers only people and samples that are in the training split (a
request naming test/unseen rows is an error); it asks here, so the partition it shows is exactly
the one ``make_splits`` will use (a dataset's own partition when it has one, else the seeded split).
"""

from __future__ import annotations

import torch

from core.data.splits import split_partition
from core.data.table import TRAIN, ImageTable


def train_rows(table: ImageTable, seed: int = 0, test_fraction: float = 0.15, unseen_fraction: float = 0.15) -> torch.Tensor:
    """Row indices of the training split, as ``make_splits`` would choose them (DataError when too small)."""
    return (split_partition(table, seed, test_fraction, unseen_fraction) == TRAIN).nonzero().squeeze(1)


def train_identities(table: ImageTable, seed: int = 0, test_fraction: float = 0.15,
                     unseen_fraction: float = 0.15) -> list[int]:
    """The identities in the training split, sorted; [] when the table has none."""
    if table.identity is None:
        return []
    return sorted(table.identity[train_rows(table, seed, test_fraction, unseen_fraction)].unique().tolist())
