"""MUFAC (Machine Unlearning for Facial Age Classifier): Korean family faces with age classes a-h
and person identities (Choi & Na, the MUFAC/MUCAC benchmark paper).

The paper gives the split sizes but not file names. This follows the release
(``custom_korean_family_dataset_resolution_128.zip``, linked from github.com/ndb796/MachineUnlearning
and described in ndb796/korean_family_dataset), where ``root`` holds::

    custom_train_dataset.csv + train_images/   D_train  (families F0001-F0299, 10,025 images)
    custom_val_dataset.csv   + val_images/     D_test   (F0801-F0850, 1,539 images)
    custom_test_dataset.csv  + test_images/    D_unseen (F0851-F0900, 1,504 images)

Each CSV has ``family_id, person_id, age_class, image_path`` (written by pandas, so usually with an
unnamed index column first, which is ignored). Partition: train -> TRAIN, val -> TEST, test -> UNSEEN,
as in the paper (1,504 unseen images). Only the train CSV is required; val/test are read when present.

``person_id`` is a family role (``F``, ``M``, ``D``, ``S2`` ...), so a person is the pair
(family_id, person_id): that pair is the identity. Column ``age_class``: a-h -> 0-7 with the
release's age ranges as class names (0-6 ... 67-80 years).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from core.data.csvcols import column_values, identity_codes, read_csv, require_columns
from core.data.filetable import Annotations, ImageFilesOptions, table_from_files
from core.data.paths import require_dir
from core.data.source import DATASETS, DataError, DatasetSource
from core.data.table import ImageTable, TEST, TRAIN, UNSEEN
from core.params import param

SPLITS = [("custom_train_dataset.csv", "train_images", TRAIN),
          ("custom_val_dataset.csv", "val_images", TEST),
          ("custom_test_dataset.csv", "test_images", UNSEEN)]
AGE_LETTERS = "abcdefgh"
AGE_CLASSES = ["0-6", "7-12", "13-19", "20-30", "31-45", "46-55", "56-66", "67-80"]
COLUMNS = ["family_id", "person_id", "age_class", "image_path"]
EXPECTED = "custom_train_dataset.csv with train_images/ (and the val/test CSVs and folders)"


@DATASETS.register("mufac")
class MUFAC(DatasetSource):
    """MUFAC: Korean family faces, 8 age classes, person identities, train/test/unseen by family."""

    @dataclass
    class Options(ImageFilesOptions):
        root: str = param("", f"folder holding {EXPECTED}")

    cacheable = True

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        root = require_dir(options.root, "mufac", EXPECTED)
        if not (root / SPLITS[0][0]).is_file():
            raise DataError(f"mufac: missing annotation file {root / SPLITS[0][0]}; put the release's CSV files in root")
        files, ids, ages, people, parts = [], [], [], [], []
        for csv_name, image_dir, part in SPLITS:
            path = root / csv_name
            if not path.is_file():
                continue
            header, rows = read_csv(path, "mufac")
            require_columns(path, header, COLUMNS, "mufac")
            letters = [v.lower()[:1] for v in column_values(path, rows, "age_class", "mufac")]
            bad = next((i for i, v in enumerate(letters) if v not in AGE_LETTERS), None)
            if bad is not None:
                raise DataError(f"mufac: {path} line {bad + 2} has age_class {rows[bad]['age_class']!r}; expected a letter a-h")
            family = column_values(path, rows, "family_id", "mufac")
            person = column_values(path, rows, "person_id", "mufac")
            names = column_values(path, rows, "image_path", "mufac")
            files += [root / image_dir / n for n in names]
            ids += [f"{image_dir}/{n}" for n in names]
            ages += [AGE_LETTERS.index(v) for v in letters]
            people += [f"{f}/{p}" for f, p in zip(family, person)]
            parts += [part] * len(rows)
        identity, identity_names = identity_codes(people) if people else (None, {})
        annotations = Annotations(
            files=files,
            ids=ids,
            columns={"age_class": torch.tensor(ages, dtype=torch.int64)},
            classes={"age_class": list(AGE_CLASSES)},
            identity=identity,
            partition=torch.tensor(parts, dtype=torch.int64),
            identity_names=identity_names,
        )
        return table_from_files("mufac", annotations, options, root, f"the CSV files in {root}")
