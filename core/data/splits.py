"""Splits: ``train = forget ∪ retain``, ``test``, ``unseen`` (the membership-attack non-members).

For datasets with identities the three splits are identity-disjoint, and this is checked after
splitting, not assumed. A predefined partition (CelebA, MUCAC, MUFAC, CIFAR-10, FairFace, a folder's
partition column) is kept as shipped; what it lacks (CIFAR-10 and FairFace ship no unseen) is carved
out of its train rows, never out of its test.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, TensorDataset

from core.data.forget import ForgetRequest, select_forget
from core.data.source import DataError
from core.data.table import TEST, TRAIN, UNSEEN, ImageTable
from core.task import Task

SPLIT_NAMES = ("train", "forget", "retain", "test", "unseen")


@dataclass
class Splits:
    """Index tensors into ``table`` for every split, plus the task they are labelled for."""

    table: ImageTable
    task: Task
    request: ForgetRequest
    train: torch.Tensor
    forget: torch.Tensor
    retain: torch.Tensor
    test: torch.Tensor
    unseen: torch.Tensor

    def index(self, name: str) -> torch.Tensor:
        if name not in SPLIT_NAMES:
            raise KeyError(f"unknown split {name!r}; allowed: {', '.join(SPLIT_NAMES)}")
        return getattr(self, name)

    def sizes(self) -> dict[str, int]:
        """Images per split, and ``skipped``: the unreadable files the reader left out of all of them."""
        return {**{name: len(self.index(name)) for name in SPLIT_NAMES}, "skipped": len(self.table.skipped)}

    def warnings(self) -> list[str]:
        """What the user should know about the data the run used (today: unreadable images skipped)."""
        summary = self.table.skipped_summary()
        return [summary] if summary else []

    def targets(self, index: torch.Tensor) -> torch.Tensor:
        """Task labels ``[n, heads]`` of the rows at ``index``."""
        return torch.stack([self.table.columns[c][index] for c in self.task.columns], 1)

    def tensors(self, name_or_index: str | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Images as float in [0, 1] and task labels for a split (or an explicit index)."""
        idx = self.index(name_or_index) if isinstance(name_or_index, str) else name_or_index
        return self.table.images[idx].float().div_(255), self.targets(idx)

    def loader(self, name_or_index: str | torch.Tensor, batch_size: int = 128, shuffle: bool = False,
               seed: int = 0) -> DataLoader:
        """A DataLoader of ``(x, y)`` over a split; shuffling is seeded for reproducibility."""
        x, y = self.tensors(name_or_index)
        gen = torch.Generator().manual_seed(seed) if shuffle else None
        return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle, generator=gen)


def make_task(table: ImageTable, task: str | list[str]) -> Task:
    """The Task for one or several columns, with a clear error for an unknown column."""
    columns = [task] if isinstance(task, str) else list(task)
    if not columns:
        raise DataError("task: name at least one column to predict")
    for c in columns:
        table.column(c, "task")
    return Task(tuple(columns), tuple(table.num_classes(c) for c in columns))


def _carve(table: ImageTable, part: torch.Tensor, shares: dict[int, float], seed: int) -> torch.Tensor:
    """Move a seeded share of the TRAIN rows into each partition of ``shares`` (code -> fraction of the
    TRAIN groups), whole identities at a time when the table has them, so the result stays
    identity-disjoint; the other partitions the dataset ships are left as they are."""
    gen = torch.Generator().manual_seed(seed)
    groups = table.identity if table.identity is not None else torch.arange(len(table))
    uniq = groups[part == TRAIN].unique()
    order = uniq[torch.randperm(len(uniq), generator=gen)]
    counts = {code: int(round(share * len(uniq))) for code, share in shares.items()}
    if len(uniq) - sum(counts.values()) < 2 or min(counts.values()) < 1:
        kind = "identities" if table.identity is not None else "samples"
        where = "" if table.partition is None else " in the dataset's own train partition"
        raise DataError(f"split: {len(uniq)} {kind}{where} are too few for train/test/unseen splits; "
                        "use a larger dataset")
    part = part.clone()
    start = 0
    for code in sorted(counts):  # TEST before UNSEEN: the seeded split is the same as before
        chosen = order[start : start + counts[code]]
        part[(part == TRAIN) & torch.isin(groups, chosen)] = code
        start += counts[code]
    return part


def split_partition(table: ImageTable, seed: int = 0, test_fraction: float = 0.15,
                    unseen_fraction: float = 0.15) -> torch.Tensor:
    """TRAIN/TEST/UNSEEN per row: the dataset's own partition where it ships one, and a seeded split
    of its train rows for whatever it lacks.

    A dataset without a partition is split whole (fractions of all its identities or samples). A
    dataset that ships train/test but no unseen (CIFAR-10, FairFace) keeps its official test as test
    (so no official test image is ever trained on, and test accuracy compares with published numbers)
    and gives up ``unseen_fraction`` of its official train as unseen.
    """
    part = table.partition
    if part is None:
        part = torch.full((len(table),), TRAIN, dtype=torch.long)
    shares = {code: share for code, share in ((TEST, test_fraction), (UNSEEN, unseen_fraction))
              if not (part == code).any()}
    return _carve(table, part, shares, seed) if shares else part


def check_identity_disjoint(table: ImageTable, parts: dict[str, torch.Tensor]) -> None:
    """Raise if any identity appears in two of train/test/unseen."""
    if table.identity is None:
        return
    sets = {k: set(table.identity[v].tolist()) for k, v in parts.items()}
    names = list(sets)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            shared = sets[a] & sets[b]
            if shared:
                raise DataError(f"split: identities {sorted(shared)[:5]} appear in both {a} and {b}; "
                                "the membership attack needs identity-disjoint splits")


# The membership attack's non-members: none at all leaves nothing to compare the forget set with. One
# is enough to split (the attack itself reports NaN, with its reason, below two a side).
MIN_UNSEEN = 1


def check_minimum_sizes(test: torch.Tensor, unseen: torch.Tensor) -> None:
    """Refuse splits no score can be computed on: an empty test set (no accuracy) or fewer than
    ``MIN_UNSEEN`` unseen images (the membership attack's non-members), before any training
    rather than at the end of a run."""
    if len(test) == 0:
        raise DataError("split: the test split is empty, so no accuracy can be measured; raise split.test_fraction "
                        "or use a larger dataset")
    if len(unseen) < MIN_UNSEEN:
        raise DataError(f"split: the unseen split has {len(unseen)} image(s); the membership attack needs at least "
                        f"{MIN_UNSEEN} non-member image(s); raise split.unseen_fraction or use a larger dataset")


def make_splits(table: ImageTable, task: str | list[str], request: ForgetRequest, seed: int = 0,
                test_fraction: float = 0.15, unseen_fraction: float = 0.15) -> Splits:
    """Split ``table`` and select the forget set; every check raises a DataError that says what to do."""
    t = make_task(table, task)
    part = split_partition(table, seed, test_fraction, unseen_fraction)
    train, test, unseen = ((part == p).nonzero().squeeze(1) for p in (TRAIN, TEST, UNSEEN))
    check_identity_disjoint(table, {"train": train, "test": test, "unseen": unseen})
    check_minimum_sizes(test, unseen)
    mask = select_forget(table, train, request, seed)
    return Splits(table, t, request, train, train[mask], train[~mask], test, unseen)
