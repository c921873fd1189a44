"""FairFace: faces balanced over race, gender and age, for fairness and attribute forgetting.

Layout of the release in ``root``::

    fairface_label_train.csv   file,age,gender,race[,service_test]  (file like "train/1.jpg")
    fairface_label_val.csv     the same for "val/..."
    train/  val/               the images (fairface-img-margin025-trainval.zip, or margin125)

Columns ``age``, ``gender``, ``race`` as categorical codes. Their class orders are fixed to the
release's values (age bands youngest first; the 7 races in the order of FairFace's own predictor)
so codes do not change with ``max_images``; a value the release does not use is appended after
them. Partition: train CSV -> TRAIN, val CSV -> TEST; the val CSV is optional. FairFace has no
identities, so there is no identity column and no shipped unseen partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from core.data.csvcols import column_values, encode_column, read_csv, require_columns
from core.data.filetable import Annotations, ImageFilesOptions, table_from_files
from core.data.paths import require_dir, require_file, resolve
from core.data.source import DATASETS, DatasetSource
from core.data.table import ImageTable, TEST, TRAIN
from core.params import param

SPLITS = [("fairface_label_train.csv", TRAIN), ("fairface_label_val.csv", TEST)]
ORDER = {
    "age": ["0-2", "3-9", "10-19", "20-29", "30-39", "40-49", "50-59", "60-69", "more than 70"],
    "gender": ["Female", "Male"],
    "race": ["White", "Black", "Latino_Hispanic", "East Asian", "Southeast Asian", "Indian", "Middle Eastern"],
}
EXPECTED = "fairface_label_train.csv (and fairface_label_val.csv) with the train/ and val/ image folders"


@DATASETS.register("fairface")
class FairFace(DatasetSource):
    """FairFace: faces labelled with age band, gender and race; train/val partition."""

    @dataclass
    class Options(ImageFilesOptions):
        root: str = param("", f"folder holding {EXPECTED}")

    cacheable = True

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        root = require_dir(options.root, "fairface", EXPECTED)
        require_file(root / SPLITS[0][0], "fairface", "annotation file")
        names: list[str] = []
        values: dict[str, list[str]] = {c: [] for c in ORDER}
        parts: list[int] = []
        for csv_name, part in SPLITS:
            path = root / csv_name
            if not path.is_file():
                continue
            header, rows = read_csv(path, "fairface")
            require_columns(path, header, ["file", *ORDER], "fairface")
            names += column_values(path, rows, "file", "fairface")
            for column in ORDER:
                values[column] += column_values(path, rows, column, "fairface")
            parts += [part] * len(rows)
        columns, classes = {}, {}
        for column, order in ORDER.items():
            columns[column], classes[column] = encode_column(values[column], order)
        annotations = Annotations(
            files=[resolve(root, n) for n in names],
            ids=names,
            columns=columns,
            classes=classes,
            partition=torch.tensor(parts, dtype=torch.int64),
        )
        return table_from_files("fairface", annotations, options, root, f"the label CSV files in {root}")
