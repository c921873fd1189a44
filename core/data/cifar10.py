"""CIFAR-10 from its python batches, with the living/non-living attribute of the attribute-unlearning
paper (representation detachment: bird, cat, deer, dog, frog and horse are living).

Layout: ``root`` is ``cifar-10-batches-py/`` or its parent, holding ``data_batch_1`` ... ``data_batch_5``,
``test_batch`` and ``batches.meta``. Partition: data batches -> TRAIN, test batch -> TEST.

The batches are unpickled here instead of through ``torchvision.datasets.CIFAR10(download=False)``,
because that class checks each file's MD5 and so refuses any subset or re-saved copy (and every test
fixture). Pickle is the dataset's official distribution format, so reading it is acceptable; only
the seven files named above are ever unpickled, and through an unpickler that resolves nothing but the
numpy array constructors (and ``_codecs.encode`` for bytes), so a tampered file cannot run code.

Columns: ``label`` (the 10 classes, names from ``batches.meta``) and ``living`` (``["no", "yes"]``).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from core.data.celeba_text import BINARY_CLASSES
from core.data.filetable import limit_per_partition
from core.data.paths import require_dir, require_file
from core.data.source import DATASETS, DataError, DatasetSource
from core.data.table import ImageTable, TEST, TRAIN
from core.params import param

TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
LIVING = {"bird", "cat", "deer", "dog", "frog", "horse"}
EXPECTED = "cifar-10-batches-py/ (data_batch_1..5, test_batch, batches.meta)"

_ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),  # how Python 3 pickles bytes at protocol 2 (re-saved copies)
}


class _BatchUnpickler(pickle.Unpickler):
    """Resolves only the numpy globals a CIFAR batch needs; anything else is refused."""

    def find_class(self, module: str, name: str):  # noqa: ANN201 - pickle's signature
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing global {module}.{name}")


def _unpickle(path: Path) -> dict:
    try:
        with open(path, "rb") as f:
            data = _BatchUnpickler(f, encoding="latin1").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise DataError(f"cifar10: {path} is not a CIFAR-10 python batch ({exc}); re-extract cifar-10-python.tar.gz") from None
    if not isinstance(data, dict):
        raise DataError(f"cifar10: {path} is not a CIFAR-10 python batch; re-extract cifar-10-python.tar.gz")
    return {k.decode() if isinstance(k, bytes) else k: v for k, v in data.items()}


def _read_batch(path: Path) -> tuple[np.ndarray, list[int]]:
    batch = _unpickle(path)
    if "data" not in batch or "labels" not in batch:
        raise DataError(f"cifar10: {path} lacks 'data' or 'labels'; it is not a CIFAR-10 batch (CIFAR-100 uses fine_labels)")
    data = np.asarray(batch["data"], dtype=np.uint8)
    labels = [int(v) for v in batch["labels"]]
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise DataError(f"cifar10: {path} holds data of shape {data.shape} for {len(labels)} labels; expected [N, 3072]")
    return data, labels


def batches_folder(root: str) -> Path:
    path = require_dir(root, "cifar10", EXPECTED)
    if not (path / META_FILE).exists() and (path / "cifar-10-batches-py").is_dir():
        return path / "cifar-10-batches-py"
    return path


@DATASETS.register("cifar10")
class CIFAR10(DatasetSource):
    """CIFAR-10 (32x32 RGB, 10 classes) with the derived living/non-living attribute."""

    @dataclass
    class Options:
        root: str = param("", f"folder holding {EXPECTED}, or that folder itself")
        max_images: int = param(
            0, "load at most this many images, shared out over train and test in file order (0 = all)", min=0
        )

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        folder = batches_folder(options.root)
        meta = _unpickle(require_file(folder / META_FILE, "cifar10", "class-name file"))
        label_names = [n.decode() if isinstance(n, bytes) else str(n) for n in meta.get("label_names", [])]
        if len(label_names) != 10:
            raise DataError(f"cifar10: {folder / META_FILE} names {len(label_names)} classes; CIFAR-10 has 10")
        arrays, labels, parts, ids = [], [], [], []
        for name, part in [(f, TRAIN) for f in TRAIN_FILES] + [(TEST_FILE, TEST)]:
            data, batch_labels = _read_batch(require_file(folder / name, "cifar10", "batch file"))
            arrays.append(data)
            labels += batch_labels
            parts += [part] * len(batch_labels)
            ids += [f"{name}/{i}" for i in range(len(batch_labels))]
        if not labels:
            raise DataError(f"cifar10: the batches in {folder} hold no images; re-extract cifar-10-python.tar.gz")
        bad = next((v for v in labels if not 0 <= v < 10), None)
        if bad is not None:
            raise DataError(f"cifar10: a batch in {folder} has label {bad}; CIFAR-10 labels are 0-9")
        partition = torch.tensor(parts, dtype=torch.int64)
        keep = torch.tensor(limit_per_partition(partition, len(parts), options.max_images), dtype=torch.long)
        images = torch.from_numpy(np.concatenate(arrays)).reshape(-1, 3, 32, 32)[keep].clone()
        label = torch.tensor(labels, dtype=torch.int64)[keep]
        living_codes = torch.tensor([int(n in LIVING) for n in label_names], dtype=torch.int64)
        return ImageTable(
            name="cifar10",
            images=images,
            columns={"label": label, "living": living_codes[label]},
            classes={"label": label_names, "living": list(BINARY_CLASSES)},
            partition=partition[keep],
            ids=[ids[i] for i in keep.tolist()],
        )
