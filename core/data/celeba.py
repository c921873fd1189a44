"""CelebA: 202,599 aligned celebrity faces with 40 binary attributes and 10,177 identities.

Layout (torchvision's ``celeba/`` folder; ``root`` may be that folder or its parent)::

    img_align_celeba/000001.jpg ...
    list_attr_celeba.txt      count line, header of 40 names, "file -1 1 ..." per image
    identity_CelebA.txt       "file identity"
    list_eval_partition.txt   "file 0|1|2"  (0 train, 1 valid, 2 test)

The text files are parsed here rather than through ``torchvision.datasets.CelebA``: that class
checks the MD5 of every annotation file, so it refuses any folder whose files were trimmed,
re-saved or subset (and every small test fixture), and it reads images lazily, which the
in-memory table does not need.

Columns: the 40 attributes under their CelebA names (``Male``, ``Eyeglasses``, ...), classes
``["no", "yes"]`` (-1 -> 0, 1 -> 1). Identity: CelebA's own identity numbers. Partition: train ->
TRAIN, test -> TEST (so test accuracy compares with published numbers), valid -> UNSEEN (never
trained on, so it serves as the non-members for membership inference); the scenario's split check
reports any identity shared across them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from core.data.celeba_text import BINARY_CLASSES, lookup, read_attr_table, read_pairs
from core.data.filetable import Annotations, ImageFilesOptions, table_from_files
from core.data.paths import require_dir, require_file
from core.data.source import DATASETS, DataError, DatasetSource
from core.data.table import ImageTable, TEST, TRAIN, UNSEEN
from core.params import param

EXPECTED = "img_align_celeba/, list_attr_celeba.txt, identity_CelebA.txt and list_eval_partition.txt"
PARTITION_OF_SPLIT = {0: TRAIN, 1: UNSEEN, 2: TEST}


def celeba_folder(root: str) -> Path:
    """``root`` itself, or its ``celeba/`` subfolder (torchvision's layout) when that holds the files."""
    path = require_dir(root, "celeba", EXPECTED)
    if not (path / "list_attr_celeba.txt").exists() and (path / "celeba" / "list_attr_celeba.txt").exists():
        return path / "celeba"
    return path


@DATASETS.register("celeba")
class CelebA(DatasetSource):
    """CelebA aligned faces: 40 binary attributes, identities, the official train/valid/test partition."""

    @dataclass
    class Options(ImageFilesOptions):
        root: str = param("", f"folder holding {EXPECTED} (or its parent)")

    cacheable = True

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        folder = celeba_folder(options.root)
        attr_path = require_file(folder / "list_attr_celeba.txt", "celeba", "attribute file")
        id_path = require_file(folder / "identity_CelebA.txt", "celeba", "identity file")
        part_path = require_file(folder / "list_eval_partition.txt", "celeba", "partition file")
        images = folder / "img_align_celeba"
        if not images.is_dir():
            raise DataError(f"celeba: image folder {images} not found; unpack img_align_celeba.zip there")
        files, names, matrix = read_attr_table(attr_path, "celeba")
        splits = lookup(read_pairs(part_path, "celeba"), files, part_path, "celeba")
        bad = sorted(set(splits.tolist()) - set(PARTITION_OF_SPLIT))
        if bad:
            raise DataError(f"celeba: {part_path} has partition value {bad[0]}; expected 0 (train), 1 (valid) or 2 (test)")
        annotations = Annotations(
            files=[images / f for f in files],
            ids=files,
            columns={name: matrix[:, j].clone() for j, name in enumerate(names)},
            classes={name: list(BINARY_CLASSES) for name in names},
            identity=lookup(read_pairs(id_path, "celeba"), files, id_path, "celeba"),
            partition=torch.tensor([PARTITION_OF_SPLIT[s] for s in splits.tolist()], dtype=torch.int64),
        )
        return table_from_files("celeba", annotations, options, folder, str(attr_path))
