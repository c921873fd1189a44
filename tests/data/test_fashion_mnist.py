"""The Fashion-MNIST reader on a small fixture written in the real idx.gz layout."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from core.data import DataError, load_dataset
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.data.table import TEST, TRAIN

N_TRAIN, N_TEST = 60, 20


def write_idx(path: Path, array: np.ndarray) -> None:
    """An idx file as Zalando ships it: 0, 0, type 0x08 (ubyte), ndim, big-endian dims, the bytes; gzipped."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def fmnist(tmp_path) -> tuple[Path, dict]:
    rng = np.random.default_rng(0)
    arrays = {"train": (rng.integers(0, 256, (N_TRAIN, 28, 28)), np.arange(N_TRAIN) % 10),
              "t10k": (rng.integers(0, 256, (N_TEST, 28, 28)), (np.arange(N_TEST) * 3) % 10)}
    for prefix, (images, labels) in arrays.items():
        write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels)
    return tmp_path, arrays


def test_reads_images_labels_and_the_official_partition(fmnist):
    root, arrays = fmnist
    table = load_dataset("fashion_mnist", {"root": str(root)})
    assert table.images.shape == (N_TRAIN + N_TEST, 1, 28, 28) and table.images.dtype == torch.uint8
    assert torch.equal(table.images[N_TRAIN + 3, 0], torch.from_numpy(arrays["t10k"][0][3].astype(np.uint8)))
    assert table.columns["label"][:N_TRAIN].tolist() == arrays["train"][1].tolist()
    assert table.classes["label"][9] == "Ankle boot"
    assert table.partition.tolist() == [TRAIN] * N_TRAIN + [TEST] * N_TEST
    assert table.ids[N_TRAIN] == "t10k/0" and table.identity is None


def test_the_splits_keep_the_official_test_and_carve_unseen_from_train(fmnist):
    root, _ = fmnist
    table = load_dataset("fashion_mnist", {"root": str(root)})
    request = ForgetRequest(kind="class", column="label", value=3)
    sp = make_splits(table, "label", request, seed=0, test_fraction=0.2, unseen_fraction=0.2)
    assert sorted(sp.test.tolist()) == list(range(N_TRAIN, N_TRAIN + N_TEST))  # exactly the t10k images
    assert int(sp.unseen.max()) < N_TRAIN and len(sp.unseen) == 12  # 20% of the 60 train images
    assert set(table.columns["label"][sp.forget].tolist()) == {3}


def test_size_max_images_and_pseudo_identities(fmnist):
    root, _ = fmnist
    table = load_dataset("fashion_mnist", {"root": str(root), "size": 32, "max_images": 40, "group_size": 5})
    assert table.images.shape == (40, 1, 32, 32)
    assert (table.partition == TRAIN).sum() == 30 and (table.partition == TEST).sum() == 10
    assert table.identity[:10].tolist() == [0] * 5 + [1] * 5
    train_ids, test_ids = set(table.identity[:30].tolist()), set(table.identity[30:].tolist())
    assert len(train_ids) == 6 and len(test_ids) == 2 and not train_ids & test_ids  # groups never cross partitions
    sp = make_splits(table, "label", ForgetRequest(kind="identities", count=1), seed=0, test_fraction=0.2,
                     unseen_fraction=0.2)
    assert len(sp.forget) == 5


def test_bad_files_are_named(fmnist, tmp_path):
    root, _ = fmnist
    (root / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing label file.*t10k-labels-idx1-ubyte.gz"):
        load_dataset("fashion_mnist", {"root": str(root)})
    with gzip.open(root / "t10k-labels-idx1-ubyte.gz", "wb") as f:
        f.write(bytes([0, 0, 0x08, 1]) + struct.pack(">I", N_TEST) + b"\x00" * 5)  # 5 of 20 labels
    with pytest.raises(DataError, match="declares \\[20\\].*holds 5; the file is truncated"):
        load_dataset("fashion_mnist", {"root": str(root)})
    (root / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(DataError, match="not a readable gzip file"):
        load_dataset("fashion_mnist", {"root": str(root)})
    with pytest.raises(DataError, match="root folder .* does not exist"):
        load_dataset("fashion_mnist", {"root": str(tmp_path / "nowhere")})
