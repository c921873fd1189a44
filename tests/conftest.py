"""Shared test setup: one thread per test process (the CI machine has 2 cores), a private
``UNLEARN_HOME`` per test, and tiny scenarios that train in seconds.

Ray's token authentication is off for the whole session, set before any test imports Ray: Ray reads
the mode once per process, so a test that switched it (the loopback cluster's) left every later local
Ray of the session expecting the other mode ("Authentication token is missing or incorrect"). The
clusters the tests start live on loopback for the length of one test."""

from __future__ import annotations

import copy
import os

os.environ["RAY_AUTH_MODE"] = "disabled"

import pytest
import torch

torch.set_num_threads(1)

TINY_SCENARIO = {
    "name": "tiny",
    "dataset": {"name": "synthfaces", "options": {"n_identities": 16, "images_per_identity": 8, "size": 32}},
    "task": "Eyeglasses",
    "model": "smallcnn",
    "forget": {"kind": "identities", "count": 2},
    "method": {"name": "finetune", "params": {"epochs": 1}},
    "train": {"epochs": 1, "lr": 0.003, "batch_size": 32},
    "split": {"test_fraction": 0.25, "unseen_fraction": 0.25},
    "evaluation": {"attacker": "linear"},
    "seed": 0,
    "device": "cpu",
}


@pytest.fixture(autouse=True)
def unlearn_home(tmp_path, monkeypatch):
    """Every test gets its own store and cache."""
    home = tmp_path / "home"
    monkeypatch.setenv("UNLEARN_HOME", str(home))
    return home


@pytest.fixture
def tiny_scenario() -> dict:
    return copy.deepcopy(TINY_SCENARIO)


@pytest.fixture
def toy_table():
    """A learnable 3-class table with 30 identities of 20 images (16 px)."""
    from core.data.table import ImageTable

    g = torch.Generator().manual_seed(0)
    n_id, per = 30, 20
    ident = torch.arange(n_id).repeat_interleave(per)
    y = torch.randint(0, 3, (n_id * per,), generator=g)
    imgs = torch.randint(0, 60, (n_id * per, 3, 16, 16), generator=g).to(torch.uint8)
    for c in range(3):
        imgs[y == c, c] += 150
    return ImageTable("toy", imgs, {"y": y, "z": (ident % 2)}, {"y": ["a", "b", "c"], "z": ["no", "yes"]}, identity=ident)
