"""Fixtures: each writes one tiny dataset in its real on-disk layout into tmp_path and returns its root."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from tests.data.layouts import (
    CIFAR_NAMES, FAIRFACE_ROWS, MUFAC_ROWS, cifar_batch, write_attr_table, write_image,
)


@pytest.fixture
def celeba_root(tmp_path: Path) -> Path:
    """torchvision's layout: celeba/{img_align_celeba/, list_attr_celeba.txt, identity_CelebA.txt, list_eval_partition.txt}."""
    root = tmp_path / "celeba"
    files = [f"{i:06d}.jpg" for i in range(1, 7)]
    for i, name in enumerate(files):
        write_image(root / "img_align_celeba" / name, i, size=(18, 22))
    write_attr_table(root / "list_attr_celeba.txt", files)
    identities = [2880, 2880, 2937, 8692, 5805, 2937]
    (root / "identity_CelebA.txt").write_text("".join(f"{f} {p}\n" for f, p in zip(files, identities)))
    splits = [0, 0, 0, 1, 2, 2]
    (root / "list_eval_partition.txt").write_text("".join(f"{f} {s}\n" for f, s in zip(files, splits)))
    return root


@pytest.fixture
def mucac_root(tmp_path: Path) -> Path:
    """The MUCAC release: CelebA-HQ-identity.txt, CelebA-HQ-attribute.txt, CelebAMask-HQ/CelebA-HQ-img/."""
    root = tmp_path / "mucac"
    files = [f"{i}.jpg" for i in range(6)]
    for i, name in enumerate(files):
        write_image(root / "CelebAMask-HQ" / "CelebA-HQ-img" / name, 10 + i, size=(32, 32))
    identities = [5, 200, 200, 3000, 5000, 6100]
    (root / "CelebA-HQ-identity.txt").write_text("".join(f"{f} {p}\n" for f, p in zip(files, identities)))
    write_attr_table(root / "CelebA-HQ-attribute.txt", files)
    return root


@pytest.fixture
def mufac_root(tmp_path: Path) -> Path:
    """The release zip's layout: custom_{train,val,test}_dataset.csv (pandas index column first) + image folders."""
    root = tmp_path / "custom_korean_family_dataset_resolution_128"
    seed = 0
    for csv_name, (folder, rows) in MUFAC_ROWS.items():
        lines = [",family_id,person_id,age_class,image_path"]
        for i, (family, person, age) in enumerate(rows):
            name = f"{family}_AGE_{person}_40_{age}{i + 1}.jpg"
            write_image(root / folder / name, seed, size=(16, 16))
            seed += 1
            lines.append(f"{i},{family},{person},{age},{name}")
        (root / csv_name).parent.mkdir(parents=True, exist_ok=True)
        (root / csv_name).write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def fairface_root(tmp_path: Path) -> Path:
    """fairface_label_{train,val}.csv (file,age,gender,race,service_test) with train/ and val/ images."""
    root = tmp_path / "fairface"
    for k, (csv_name, rows) in enumerate(FAIRFACE_ROWS.items()):
        lines = ["file,age,gender,race,service_test"]
        for i, (file, age, gender, race) in enumerate(rows):
            write_image(root / file, 100 * k + i, size=(20, 20))
            lines.append(f"{file},{age},{gender},{race},{'True' if i % 2 else 'False'}")
        (root / csv_name).write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def cifar_root(tmp_path: Path) -> Path:
    """cifar-10-batches-py/{data_batch_1..5, test_batch, batches.meta} as pickled dicts with numpy data."""
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    batches = {f"data_batch_{i}": [(2 * i) % 10, (2 * i + 1) % 10] for i in range(1, 6)}
    batches["test_batch"] = [3, 8, 6]
    for seed, (name, labels) in enumerate(batches.items()):
        with open(root / name, "wb") as f:
            pickle.dump(cifar_batch(labels, seed), f, protocol=2)
    with open(root / "batches.meta", "wb") as f:
        meta = {b"num_cases_per_batch": 10000, b"label_names": [n.encode() for n in CIFAR_NAMES], b"num_vis": 3072}
        pickle.dump(meta, f, protocol=2)
    return root


@pytest.fixture
def folder_root(tmp_path: Path) -> Path:
    """A user's folder: PNG/JPG images in subfolders and labels.csv with file, labels, person and split."""
    root = tmp_path / "mine"
    rows = [
        ("a/cat1.png", "cat", "1", "alice", "train"), ("a/cat2.jpg", "cat", "0", "bob", "train"),
        ("b/dog1.png", "dog", "1", "alice", "test"), ("b/dog2.png", "dog", "0", "carol", "unseen"),
        ("b/dog3.png", "dog", "10", "carol", "unseen"),
    ]
    lines = ["file,animal,glasses,person,split"]
    for i, row in enumerate(rows):
        write_image(root / row[0], 200 + i, size=(24, 12))
        lines.append(",".join(row))
    (root / "labels.csv").write_text("\n".join(lines) + "\n")
    return root
