"""A user's own images: a folder of image files plus a CSV naming each file and its labels.

``root/labels.csv`` (name set by ``csv``) has a column of file names relative to ``root`` (or
absolute), an optional identity column, an optional partition column, and any number of label
columns. Every other column with a name becomes a categorical column: its distinct values are the
class names (whole numbers in numeric order, anything else alphabetically), so a 0..9 label keeps
its values as codes. Identities that are whole numbers keep their number as code; other identity names get codes after
the largest number and are kept (``table.identity_names``), so a request may name a person either way.
An image file listed twice (or under two people) is refused with both line numbers.
Partition values are ``train``, ``test`` or ``unseen`` (or 0, 1, 2); without a partition column the
rows are unassigned and the scenario splits them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from core.data.csvcols import (column_values, encode_column, identity_codes, read_csv, refuse_duplicates,
                               require_columns)
from core.data.filetable import Annotations, ImageFilesOptions, table_from_files
from core.data.paths import require_dir, resolve
from core.data.source import DATASETS, DataError, DatasetSource
from core.data.table import ImageTable, TEST, TRAIN, UNSEEN
from core.params import param

PARTITIONS = {"train": TRAIN, "test": TEST, "unseen": UNSEEN, "0": TRAIN, "1": TEST, "2": UNSEEN}


@DATASETS.register("folder")
class Folder(DatasetSource):
    """Your own images: a folder of image files and a CSV of their labels (and identities)."""

    @dataclass
    class Options(ImageFilesOptions):
        root: str = param("", "folder holding the images and the CSV")
        csv: str = param("labels.csv", "the CSV file, relative to root (or an absolute path)")
        file_column: str = param("file", "CSV column with each image's file name, relative to root")
        identity_column: str = param("", "CSV column with each image's person/identity ('' = none)")
        partition_column: str = param("", "CSV column with train/test/unseen for each image ('' = none: the scenario splits)")

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        root = require_dir(options.root, "folder", f"the images and {options.csv}")
        path = resolve(root, options.csv)
        header, rows = read_csv(path, "folder")
        special = [c for c in (options.file_column, options.identity_column, options.partition_column) if c]
        require_columns(path, header, special, "folder")
        labels = [h for h in header if h and h not in special]
        if not labels:
            raise DataError(
                f"folder: {path} has no label column besides {', '.join(special)}; add at least one column of labels"
            )
        columns, classes = {}, {}
        for column in labels:
            columns[column], classes[column] = encode_column(column_values(path, rows, column, "folder"))
        names = column_values(path, rows, options.file_column, "folder")
        identity, identity_names, people = None, {}, None
        if options.identity_column:
            people = column_values(path, rows, options.identity_column, "folder")
            identity, identity_names = identity_codes(people)
        refuse_duplicates(path, names, "folder", people)
        partition = None
        if options.partition_column:
            partition = self._partition(path, column_values(path, rows, options.partition_column, "folder"), options)
        annotations = Annotations(
            files=[resolve(root, n) for n in names],
            ids=names,
            columns=columns,
            classes=classes,
            identity=identity,
            partition=partition,
            identity_names=identity_names,
        )
        return table_from_files("folder", annotations, options, root, str(path))

    @staticmethod
    def _partition(path: Path, values: list[str], options: Options) -> torch.Tensor:
        for i, v in enumerate(values):
            if v.lower() not in PARTITIONS:
                raise DataError(
                    f"folder: {path} line {i + 2} has {options.partition_column}={v!r}; "
                    "use train, test or unseen (or 0, 1, 2)"
                )
        return torch.tensor([PARTITIONS[v.lower()] for v in values], dtype=torch.int64)
