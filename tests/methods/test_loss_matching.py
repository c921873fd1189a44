"""Held-out loss matching: its targets are the unseen losses at each forget sample's rank, and with them
the forget set comes to look like unseen data; without them (each sample's own loss as its target) it does not.

The case is memorisation, which is what the method is for: a toy table where a third of every split's labels
are random. The original model memorises its training set's wrong labels (forget loss ≈ train loss, far
below the unseen loss); the gold model never saw the forget images, so to it they are unseen images. The
criterion: the gap between the mean unseen and mean forget loss closes by at least half.
"""

from __future__ import annotations

import pytest
import torch

import core.methods.loss_matching as loss_matching
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.pipeline import run_method
from tests.methods.toy_identity import prepared_for, toy_table

torch.set_num_threads(1)
PARAMS = {"epochs": 4, "lr": 0.02, "forget_weight": 10.0}  # gap 0.98 -> 0.01; ablated: 0.98 -> 1.04


def test_targets_are_the_unseen_losses_at_each_forget_rank():
    forget = torch.tensor([0.3, 0.1, 0.2, 0.0])
    unseen = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    got = loss_matching.matched_targets(forget, unseen)
    want = torch.quantile(unseen, torch.tensor([0.875, 0.375, 0.625, 0.125]))
    assert torch.allclose(got, want)
    assert got.argsort().tolist() == forget.argsort().tolist(), "the lowest forget loss gets the lowest target"


@pytest.fixture(scope="module")
def memorised():
    """A third of the labels random; the original trains long enough to memorise its training set
    (60 epochs: forget loss 0.00, unseen 0.99; the gold model: 0.82 and 0.59)."""
    table = toy_table(n_id=24, per=10, seed=1)
    g = torch.Generator().manual_seed(1)
    noisy = torch.rand(len(table.columns["y"]), generator=g) < 1 / 3
    table.columns["y"][noisy] = torch.randint(0, 3, (int(noisy.sum()),), generator=g)
    splits = make_splits(table, "y", ForgetRequest(kind="identities", count=3), seed=1)
    return prepared_for(splits, epochs=60, batch_size=16, seed=1)


def mean_loss(model, prep, split: str) -> float:
    x, y = prep.splits.tensors(split)
    with torch.no_grad():
        return prep.splits.task.loss(model.eval()(x), y).item()


def gap(model, prep) -> float:
    """How much lower the forget set's mean loss is than the unseen set's."""
    return mean_loss(model, prep, "unseen") - mean_loss(model, prep, "forget")


def closes_the_gap(prep) -> tuple[bool, str]:
    model, _, _ = run_method(prep, "loss_matching", PARAMS)
    before, after = gap(prep.original.model, prep), gap(model, prep)
    return abs(after) <= before / 2, f"unseen − forget mean loss {before:.3f} -> {after:.3f} (needs |gap| ≤ {before / 2:.3f})"


def test_the_case_has_something_memorised(memorised):
    assert gap(memorised.original.model, memorised) > 0.5
    assert abs(gap(memorised.gold.model, memorised)) < gap(memorised.original.model, memorised) / 2


def test_forget_comes_to_look_like_unseen(memorised):
    ok, detail = closes_the_gap(memorised)
    assert ok, detail


def test_fails_without_the_unseen_targets(memorised, monkeypatch):
    monkeypatch.setattr(loss_matching, "matched_targets", lambda forget, unseen: forget.clone())
    ok, detail = closes_the_gap(memorised)
    assert not ok, f"still closes the gap with each sample's own loss as its target: {detail}"
