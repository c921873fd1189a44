"""The dataset contact sheet: size, labels, column choice, greyscale tables, file output."""

from __future__ import annotations

import pytest
import torch
from PIL import Image

from core.data import ImageTable, load_dataset
from core.data.preview import MIN_SIDE, PAD, grid_image, labels_of, write_grid

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def faces():
    return load_dataset("synthfaces", {"n_identities": 4, "images_per_identity": 5, "size": 32})


def test_grid_has_one_upscaled_cell_per_image(faces):
    img = grid_image(faces, n=16)
    cell = 32 * (MIN_SIDE // 32 + (MIN_SIDE % 32 > 0)) + 2 * PAD
    assert isinstance(img, Image.Image) and img.mode == "RGB"
    assert img.width == 4 * cell and img.height > 4 * cell


def test_labels_name_binary_attributes_that_are_set_and_show_classes(faces):
    i = int(torch.nonzero(faces.columns["Eyeglasses"] == 1)[0])
    words = labels_of(faces, i, ["Eyeglasses", "age_group"])
    assert words[0] == "Glasses" and words[1].startswith("age=")
    j = int(torch.nonzero(faces.columns["Eyeglasses"] == 0)[0])
    assert labels_of(faces, j, ["Eyeglasses"]) == []


def test_fewer_columns_give_a_shorter_sheet_and_unknown_columns_fail(faces):
    assert grid_image(faces, index=[0, 1], columns=["Male"]).height < grid_image(faces, index=[0, 1]).height
    with pytest.raises(ValueError, match="allowed"):
        grid_image(faces, columns=["Nope"])


def test_greyscale_table_and_file_output(tmp_path):
    table = ImageTable("grey", torch.zeros(3, 1, 8, 8, dtype=torch.uint8), {"digit": torch.tensor([0, 1, 2])},
                       {"digit": ["0", "1", "2"]})
    path = write_grid(table, tmp_path / "sheet.png")
    assert Image.open(path).size == grid_image(table).size
