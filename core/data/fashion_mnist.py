"""Fashion-MNIST (Zalando: 70,000 grey 28x28 photos of clothing, 10 classes) from its idx files.

Layout: ``root`` holds ``train-images-idx3-ubyte.gz``, ``train-labels-idx1-ubyte.gz``,
``t10k-images-idx3-ubyte.gz`` and ``t10k-labels-idx1-ubyte.gz`` (the files as Zalando ships them;
Debian's ``dataset-fashion-mnist`` package installs them in ``/usr/share/datasets/fashion-mnist/``,
the default root). Partition: the 60,000 train images -> TRAIN, the 10,000 t10k images -> TEST; the
splits keep the official test as test and carve ``unseen`` out of train, as for CIFAR-10.

The idx format (a big-endian header: two zero bytes, a type byte, the number of dimensions, then each
dimension as a 32-bit integer, then the raw values) is parsed here with gzip and ``numpy.frombuffer``
rather than through ``torchvision.datasets.FashionMNIST(download=False)``, because that class only
looks for the files under ``ROOT/FashionMNIST/raw/`` and so cannot read the flat folder the package
(or a user's copy) provides; the parser is short and reads nothing but numbers.

Column ``label`` (the 10 class names). The photos show no people; with ``group_size`` > 0 each run of
that many consecutive images of a partition (in file order) gets a pseudo-identity, so the identity
requests and identity-disjoint splits have groups to work on. ``samples``, ``class`` and
``class_subset`` requests need none.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from core.data.budget import check_budget
from core.data.filetable import limit_per_partition
from core.data.paths import require_dir, require_file
from core.data.source import DATASETS, DataError, DatasetSource
from core.data.table import TEST, TRAIN, ImageTable
from core.params import param

DEFAULT_ROOT = "/usr/share/datasets/fashion-mnist"
FILES = {TRAIN: ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
         TEST: ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")}
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
EXPECTED = "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"
UBYTE = 0x08


def read_idx(path: Path, ndim: int) -> np.ndarray:
    """The uint8 array of a (gzipped) idx file with ``ndim`` dimensions; a DataError naming what is wrong."""
    try:
        with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as exc:
        raise DataError(f"fashion_mnist: {path} is not a readable gzip file ({exc}); re-download it") from None
    if len(raw) < 4 + 4 * ndim or raw[0] != 0 or raw[1] != 0:
        raise DataError(f"fashion_mnist: {path} does not start with an idx header; it is not an idx file")
    if raw[2] != UBYTE or raw[3] != ndim:
        raise DataError(f"fashion_mnist: {path} holds type 0x{raw[2]:02x} in {raw[3]} dimensions; "
                        f"expected unsigned bytes in {ndim}")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    start, count = 4 + 4 * ndim, int(np.prod(dims))
    if len(raw) - start != count:
        raise DataError(f"fashion_mnist: {path} declares {dims} ({count} values) but holds {len(raw) - start}; "
                        "the file is truncated or corrupt")
    return np.frombuffer(raw, dtype=np.uint8, offset=start).reshape(dims)


def _read_part(folder: Path, part: int) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name = FILES[part]
    images = read_idx(require_file(folder / images_name, "fashion_mnist", "image file"), 3)
    labels = read_idx(require_file(folder / labels_name, "fashion_mnist", "label file"), 1)
    if len(images) != len(labels):
        raise DataError(f"fashion_mnist: {images_name} holds {len(images)} images but {labels_name} "
                        f"{len(labels)} labels; the two files must come from the same release")
    if len(labels) and labels.max() >= len(CLASSES):
        raise DataError(f"fashion_mnist: {labels_name} has label {int(labels.max())}; Fashion-MNIST labels are 0-9")
    return images, labels


def pseudo_identities(partition: torch.Tensor, group_size: int) -> torch.Tensor:
    """Runs of ``group_size`` consecutive rows of each partition share a code; codes never cross partitions."""
    codes = torch.empty_like(partition)
    offset = 0
    for part in partition.unique(sorted=True).tolist():
        rows = (partition == part).nonzero().flatten()
        local = torch.arange(len(rows)) // group_size
        codes[rows] = local + offset
        offset += int(local.max()) + 1 if len(rows) else 0
    return codes


@DATASETS.register("fashion_mnist", "Fashion-MNIST: 70,000 grey 28x28 clothing photos, 10 classes, official test kept")
class FashionMNIST(DatasetSource):
    """Fashion-MNIST from its four idx.gz files (official train/test partition kept)."""

    @dataclass
    class Options:
        root: str = param(DEFAULT_ROOT, f"folder holding {EXPECTED} (default: where Debian's dataset-fashion-mnist "
                                         "package puts them)")
        max_images: int = param(0, "load at most this many images, shared out over train and test in file order "
                                   "(0 = all 70,000)", min=0)
        size: int = param(28, "side of the square images in pixels (the originals are 28x28; others are resized "
                              "bilinearly)", min=8, max=256)
        group_size: int = param(0, "give each run of this many consecutive images a pseudo-identity, so identity "
                                   "requests have groups to forget (0 = no identities)", min=0, max=10000)

    def load(self, options: Options, cache_dir: Path | None = None) -> ImageTable:
        folder = require_dir(options.root, "fashion_mnist", EXPECTED)
        parts = [(part, *_read_part(folder, part)) for part in (TRAIN, TEST)]
        partition = torch.cat([torch.full((len(labels),), part, dtype=torch.long) for part, _, labels in parts])
        if not len(partition):
            raise DataError(f"fashion_mnist: the idx files in {folder} hold no images")
        keep = torch.tensor(limit_per_partition(partition, len(partition), options.max_images), dtype=torch.long)
        check_budget("dataset.options (fashion_mnist)", len(keep), 1, options.size)
        pixels = torch.from_numpy(np.concatenate([images for _, images, _ in parts]))[keep].unsqueeze(1)
        if options.size != pixels.shape[-1]:
            pixels = F.interpolate(pixels.float(), size=(options.size, options.size), mode="bilinear",
                                   align_corners=False).round().clamp(0, 255).to(torch.uint8)
        label = torch.from_numpy(np.concatenate([labels for _, _, labels in parts]).astype(np.int64))[keep]
        names = {TRAIN: "train", TEST: "t10k"}
        counters = {TRAIN: 0, TEST: 0}
        ids = []
        for p in partition.tolist():
            ids.append(f"{names[p]}/{counters[p]}")
            counters[p] += 1
        part = partition[keep]
        return ImageTable(
            name="fashion_mnist",
            images=pixels.contiguous(),
            columns={"label": label},
            classes={"label": list(CLASSES)},
            identity=pseudo_identities(part, options.group_size) if options.group_size else None,
            partition=part,
            ids=[ids[i] for i in keep.tolist()],
        )
