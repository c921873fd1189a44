"""From annotations of image files to an ImageTable: the last step every folder reader shares.

A reader parses its own annotation format into :class:`Annotations` (one row per image file) and
calls :func:`table_from_files`, which applies ``max_images``, loads the pixels, drops the rows whose
image could not be read (listing them in ``table.skipped``) and refuses an empty result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import torch

from core.data.budget import check_budget
from core.data.images import ON_BAD_IMAGE_CHOICES, OnBadImage, load_images
from core.data.source import DataError
from core.data.table import ImageTable
from core.params import param


@dataclass
class ImageFilesOptions:
    """Options every reader of image files on disk has (subclasses add their own after these)."""

    root: str = param("", "folder that holds the dataset")
    size: int = param(64, "side of the square images after resizing and centre-cropping, in pixels", min=8, max=1024)
    max_images: int = param(
        0, "load at most this many images, shared out over the dataset's partitions in file order (0 = all)", min=0
    )
    on_bad_image: OnBadImage = param(
        "skip",
        "an unreadable image file: 'skip' leaves it out and lists it in the table's skipped list; 'error' stops with its name",
        choices=ON_BAD_IMAGE_CHOICES,
    )


@dataclass
class Annotations:
    """One row per image file: where it is, what it shows, whose it is, which partition it ships in."""

    files: list[Path]
    ids: list[str]
    columns: dict[str, torch.Tensor]
    classes: dict[str, list[str]]
    identity: torch.Tensor | None = None
    partition: torch.Tensor | None = None
    identity_names: dict[int, str] = field(default_factory=dict)  # codes whose CSV name is not the number

    def rows(self, index: list[int]) -> "Annotations":
        at = torch.tensor(index, dtype=torch.long)
        return Annotations(
            files=[self.files[i] for i in index],
            ids=[self.ids[i] for i in index],
            columns={k: v[at] for k, v in self.columns.items()},
            classes=self.classes,
            identity=None if self.identity is None else self.identity[at],
            partition=None if self.partition is None else self.partition[at],
            identity_names=self.identity_names,
        )


def limit_per_partition(partition: torch.Tensor | None, n_rows: int, max_images: int) -> list[int]:
    """Row positions to keep: all when ``max_images`` is 0, else the first rows of each partition in
    file order, each partition getting its share of ``max_images`` and at least one image where
    ``max_images`` allows (so train, test and unseen all stay)."""
    if max_images <= 0 or max_images >= n_rows:
        return list(range(n_rows))
    if partition is None:
        return list(range(max_images))
    parts = partition.tolist()
    counts: dict[int, int] = {}
    for p in parts:
        counts[p] = counts.get(p, 0) + 1
    quota = {p: max_images * c // n_rows for p, c in counts.items()}
    if max_images >= len(counts):  # every shipped partition keeps at least one image
        quota = {p: max(q, 1) for p, q in quota.items()}
    while sum(quota.values()) > max_images:
        quota[max(quota, key=quota.get)] -= 1
    for p in sorted(counts, key=lambda p: -counts[p]):  # hand out the rounding remainder, largest first
        quota[p] += min(counts[p] - quota[p], max_images - sum(quota.values()))
    taken = {p: 0 for p in counts}
    keep = []
    for i, p in enumerate(parts):
        if taken[p] < quota[p]:
            taken[p] += 1
            keep.append(i)
    return keep


def table_from_files(name: str, annotations: Annotations, options: ImageFilesOptions, root: Path, listed_in: str) -> ImageTable:
    """Load the images of ``annotations`` into an ImageTable (``listed_in`` names the annotation source for errors)."""
    if not annotations.files:
        raise DataError(f"{name}: {listed_in} lists no images; check that it is the right file and not empty")
    keep = limit_per_partition(annotations.partition, len(annotations.files), options.max_images)
    check_budget(f"{name} ({listed_in})", len(keep), 3, options.size)  # before a single image is decoded
    chosen = annotations.rows(keep)
    images, kept, skipped = load_images(chosen.files, options.size, options.on_bad_image, name, root)
    if not kept:
        first = "; ".join(skipped[:3])
        raise DataError(
            f"{name}: none of the {len(skipped)} images listed in {listed_in} could be read (first: {first}); "
            "check that the image folder is in place under root"
        )
    rows = chosen.rows(kept)
    return ImageTable(
        name=name,
        images=images,
        columns=rows.columns,
        classes=rows.classes,
        identity=rows.identity,
        partition=rows.partition,
        ids=rows.ids,
        skipped=skipped,
        identity_names={c: n for c, n in rows.identity_names.items()
                        if rows.identity is not None and bool((rows.identity == c).any())},
    )
