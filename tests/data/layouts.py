"""Tiny datasets in each real on-disk layout: constants and writers shared by the fixtures and the tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

CELEBA_ATTRS = (
    "5_o_Clock_Shadow Arched_Eyebrows Attractive Bags_Under_Eyes Bald Bangs Big_Lips Big_Nose Black_Hair "
    "Blond_Hair Blurry Brown_Hair Bushy_Eyebrows Chubby Double_Chin Eyeglasses Goatee Gray_Hair Heavy_Makeup "
    "High_Cheekbones Male Mouth_Slightly_Open Mustache Narrow_Eyes No_Beard Oval_Face Pale_Skin Pointy_Nose "
    "Receding_Hairline Rosy_Cheeks Sideburns Smiling Straight_Hair Wavy_Hair Wearing_Earrings Wearing_Hat "
    "Wearing_Lipstick Wearing_Necklace Wearing_Necktie Young"
).split()
CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def write_image(path: Path, seed: int, size: tuple[int, int] = (14, 10)) -> None:
    """A small non-square colour image (exercises resize + centre crop); format from the suffix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)).save(path)


def write_corrupt(path: Path) -> None:
    path.write_bytes(b"this is not an image")


def attr_rows(n: int) -> list[list[int]]:
    """Attribute j of image i is 1 when (i + j) is even, else -1: easy to assert."""
    return [[1 if (i + j) % 2 == 0 else -1 for j in range(len(CELEBA_ATTRS))] for i in range(n)]


def write_attr_table(path: Path, files: list[str]) -> None:
    lines = [str(len(files)), " ".join(CELEBA_ATTRS) + " "]
    for name, row in zip(files, attr_rows(len(files))):
        lines.append(name + " " + " ".join(f"{v:2d}" for v in row))  # CelebA pads with double spaces
    path.write_text("\n".join(lines) + "\n")


MUFAC_ROWS = {
    "custom_train_dataset.csv": ("train_images", [("F0001", "D", "a"), ("F0001", "D", "b"), ("F0001", "M", "e"), ("F0002", "D", "h")]),
    "custom_val_dataset.csv": ("val_images", [("F0801", "GF", "g"), ("F0801", "S", "c")]),
    "custom_test_dataset.csv": ("test_images", [("F0851", "M", "d"), ("F0851", "M", "f")]),
}


FAIRFACE_ROWS = {
    "fairface_label_train.csv": [
        ("train/1.jpg", "50-59", "Male", "East Asian"), ("train/2.jpg", "30-39", "Female", "Indian"),
        ("train/3.jpg", "3-9", "Female", "Black"), ("train/4.jpg", "more than 70", "Male", "White"),
    ],
    "fairface_label_val.csv": [("val/1.jpg", "3-9", "Male", "East Asian"), ("val/2.jpg", "50-59", "Female", "White")],
}


def cifar_batch(labels: list[int], seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        b"batch_label": b"fixture batch",
        b"labels": labels,
        b"data": rng.integers(0, 256, (len(labels), 3072), dtype=np.uint8),
        b"filenames": [f"img_{seed}_{i}.png".encode() for i in range(len(labels))],
    }
