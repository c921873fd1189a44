"""Fixtures for the TMU tests: a class_subset split of the toy people table and a model trained on it."""

from __future__ import annotations

import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.models import ModelSpec, build_model
from core.training import seed_everything, train_epochs
from tests.tmu.toy import people_table

torch.set_num_threads(1)


@pytest.fixture(scope="package")
def subset_splits():
    """Forget 30% of class 0's training photos (a class_subset request)."""
    return make_splits(people_table(), "y", ForgetRequest(kind="class_subset", column="y", value=0, fraction=0.3),
                       seed=0, test_fraction=0.2, unseen_fraction=0.2)


@pytest.fixture(scope="package")
def subset_model(subset_splits):
    seed_everything(0)
    c, h, _ = subset_splits.table.image_shape
    model = build_model("smallcnn", ModelSpec(c, h, subset_splits.task.out_dim))
    return train_epochs(model, subset_splits.loader("train", 32, shuffle=True), subset_splits.task, 2, 3e-3,
                        torch.device("cpu"))
