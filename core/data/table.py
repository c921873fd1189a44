"""ImageTable: the in-memory table of samples every dataset loads into.

One row per image: the pixels, every annotated column (task labels and attributes alike, as
integer class codes with their class names), the identity when the dataset has people, the
ground-truth pixel mask of an attribute where the dataset can draw it, and a predefined
partition where the dataset ships one. Which column is the task and which is an attribute to
forget is the scenario's choice, not the dataset's.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import torch

from core.data.errors import DataError

TRAIN, TEST, UNSEEN, UNASSIGNED = 0, 1, 2, -1


@dataclass
class ImageTable:
    """Images (uint8 ``[N, C, H, W]``) with their labelled columns."""

    name: str
    images: torch.Tensor
    columns: dict[str, torch.Tensor]
    classes: dict[str, list[str]]
    identity: torch.Tensor | None = None
    masks: dict[str, torch.Tensor] = field(default_factory=dict)
    partition: torch.Tensor | None = None
    ids: list[str] | None = None
    skipped: list[str] = field(default_factory=list)
    # The user's own name of each identity code that is not its name already (a CSV's "alice" -> 12);
    # whole-number identities keep their number as code and have no entry.
    identity_names: dict[int, str] = field(default_factory=dict)
    _fingerprint: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.images)
        if self.images.dtype != torch.uint8 or self.images.ndim != 4:
            raise ValueError(f"{self.name}: images must be a uint8 tensor [N, C, H, W]")
        for col, values in self.columns.items():
            if len(values) != n:
                raise ValueError(f"{self.name}: column {col!r} has {len(values)} values for {n} images")
            if col not in self.classes:
                raise ValueError(f"{self.name}: column {col!r} has no class names")
        if self.identity is not None and len(self.identity) != n:
            raise ValueError(f"{self.name}: identity has {len(self.identity)} values for {n} images")

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        c, h, w = self.images.shape[1:]
        return int(c), int(h), int(w)

    @property
    def fingerprint(self) -> str:
        """A hash of everything a model trained on this table could depend on: pixels, columns and
        their class names, identities, masks, partition and row ids (about 1 GB/s; computed once).

        The model cache keys on it, so a dataset folder whose images or labels changed gets models
        trained on what it holds now, never a stale model kept for the old files; a file rewritten with
        the same pixels and labels keeps its models. A table is not changed after it is built."""
        if self._fingerprint is None:
            h = hashlib.sha256()
            tensors = {"images": self.images, "identity": self.identity, "partition": self.partition,
                       **{f"column {k}": v for k, v in self.columns.items()},
                       **{f"mask {k}": v for k, v in self.masks.items()}}
            for name in sorted(tensors):
                t = tensors[name]
                h.update(f"{name}:{None if t is None else (tuple(t.shape), str(t.dtype))};".encode())
                if t is not None and t.numel():
                    h.update(memoryview(t.detach().cpu().contiguous().numpy()).cast("B"))
            names = {str(k): v for k, v in self.identity_names.items()}
            h.update(json.dumps([self.classes, self.ids, names], sort_keys=True, default=str).encode())
            self._fingerprint = h.hexdigest()[:16]
        return self._fingerprint

    def column(self, name: str, field_name: str = "column") -> torch.Tensor:
        """A column's values, or a clear error naming the allowed columns."""
        if name not in self.columns:
            raise DataError(
                f"{field_name}: dataset {self.name!r} has no column {name!r}; "
                f"allowed: {', '.join(sorted(self.columns))}"
            )
        return self.columns[name]

    def skipped_summary(self, first: int = 3) -> str:
        """One line telling how many unreadable images were left out and naming the first few, so the
        user learns their dataset is smaller than its annotations say; "" when none were skipped."""
        if not self.skipped:
            return ""
        names = [entry.split(": ", 1)[0] for entry in self.skipped[:first]]
        more = f" and {len(self.skipped) - first} more" if len(self.skipped) > first else ""
        count = f"{len(self.skipped)} unreadable image{'s' if len(self.skipped) > 1 else ''}"
        return f"{count} skipped (on_bad_image='skip'): {', '.join(names)}{more}"

    def identity_label(self, code: int) -> str:
        """How the user names identity ``code``: "alice (12)" where the CSV named it, else "12"."""
        name = self.identity_names.get(int(code))
        return f"{name} ({int(code)})" if name is not None else str(int(code))

    def num_classes(self, name: str) -> int:
        return len(self.classes[name])

    def subset(self, index: torch.Tensor) -> "ImageTable":
        """The rows at ``index`` as a new table (shares no storage with this one)."""
        return ImageTable(
            name=self.name,
            images=self.images[index].clone(),
            columns={k: v[index].clone() for k, v in self.columns.items()},
            classes=dict(self.classes),
            identity=None if self.identity is None else self.identity[index].clone(),
            masks={k: v[index].clone() for k, v in self.masks.items()},
            partition=None if self.partition is None else self.partition[index].clone(),
            ids=None if self.ids is None else [self.ids[i] for i in index.tolist()],
            skipped=list(self.skipped),
            identity_names=dict(self.identity_names),
        )

    def to_state(self) -> dict:
        """Plain tensors/lists/dicts, loadable with ``torch.load(weights_only=True)``."""
        return {
            "name": self.name, "images": self.images, "columns": self.columns, "classes": self.classes,
            "identity": self.identity, "masks": self.masks, "partition": self.partition,
            "ids": self.ids, "skipped": self.skipped, "identity_names": self.identity_names,
        }

    @classmethod
    def from_state(cls, state: dict) -> "ImageTable":
        return cls(**state)
