"""TMU's audit figures and gallery helper, built from a hand-written record."""

from __future__ import annotations

import pytest

from core.methods.tmu.plots import feature_matrix_plot, feature_scatter, gallery_rows

RECORD = {
    "features": ["NF", "AF", "CF"],
    "forget": {"row": [10, 11, 12, 13], "NF": [0.5, 2.0, 0.6, 1.8], "AF": [0.01, 0.9, 0.02, 0.5],
               "CF": [0.1, 2.0, 0.2, 1.0], "p_hard": [0.1, 0.9, 0.2, 0.6], "predicted": [0, 1, 0, 1],
               "gold": [0, 1, 0, 0]},
    "twin": {"row": [50, 51, 52], "NF": [0.4, 2.2, 0.7], "AF": [0.0, 1.0, 0.1], "CF": [0.1, 1.5, 0.3],
             "hard": [0, 1, 0]},
}


def test_scatter_has_one_trace_per_label_with_rows_on_hover():
    fig = feature_scatter(RECORD, "predicted")
    easy, hard = fig.data
    assert easy.name == "easy (2)" and hard.name == "hard (2)"
    assert list(hard.x) == [2.0, 1.8] and list(hard.customdata) == [11, 13]
    gold = feature_scatter(RECORD, "gold")
    assert [len(t.x) for t in gold.data] == [3, 1]
    twin = feature_scatter(RECORD, which="twin")
    assert [len(t.x) for t in twin.data] == [2, 1] and "twin" in twin.layout.title.text


def test_scatter_matrix_shows_the_three_features():
    fig = feature_matrix_plot(RECORD, "gold")
    assert [d.label for d in fig.data[0].dimensions] == ["NF", "AF", "CF"]


def test_gallery_rows_split_and_order_by_confidence():
    assert gallery_rows(RECORD) == {"easy": [10, 12], "hard": [11, 13]}
    assert gallery_rows(RECORD, by="gold", limit=1) == {"easy": [10], "hard": [11]}


def test_missing_gold_labels_and_bad_choices_are_explained():
    no_gold = {**RECORD, "forget": {**RECORD["forget"], "gold": None}}
    with pytest.raises(ValueError, match="no gold labels"):
        feature_scatter(no_gold, "gold")
    with pytest.raises(ValueError, match="allowed: predicted, gold"):
        gallery_rows(RECORD, by="truth")
    with pytest.raises(ValueError, match="allowed: forget, twin"):
        feature_scatter(RECORD, which="test")


def test_gallery_png_has_an_easy_row_and_a_hard_row(tmp_path):
    import numpy as np
    import torch
    from PIL import Image

    from core.methods.tmu.plots import save_gallery

    images = torch.zeros((20, 3, 8, 8), dtype=torch.uint8)
    images[11] = images[13] = 255  # the two predicted-hard samples are white, the easy ones black
    path = save_gallery(RECORD, images, tmp_path / "g.png", per_row=3)
    png = torch.from_numpy(np.array(Image.open(path).convert("L"))).float()
    # two rows of 3 tiles of 8 px with 1 px padding: 2*9+1 high, 3*9+1 wide
    assert png.shape == (19, 28)
    top, bottom = png[1:9, 1:9], png[10:18, 1:9]
    assert top.max() == 0 and bottom.min() == 255  # easy tile first row, hard tile second
    assert png[1:9, 19:27].min() == 255  # the easy row has 2 samples: its third tile is a blank pad
