"""Splits and forget requests: identity-disjoint splits, sizes, every error path."""

from __future__ import annotations

import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.source import DataError
from core.data.splits import check_identity_disjoint, make_splits


def test_identity_split_is_disjoint_and_forget_is_inside_train(toy_table):
    sp = make_splits(toy_table, "y", ForgetRequest(kind="identities", count=3), seed=1)
    ids = {k: set(toy_table.identity[sp.index(k)].tolist()) for k in ("train", "test", "unseen")}
    assert not ids["train"] & ids["test"] and not ids["train"] & ids["unseen"] and not ids["test"] & ids["unseen"]
    assert len(set(toy_table.identity[sp.forget].tolist())) == 3
    assert set(sp.forget.tolist()) | set(sp.retain.tolist()) == set(sp.train.tolist())
    assert sp.sizes()["forget"] == 60


@pytest.mark.parametrize("request_, message", [
    (ForgetRequest(kind="identities", identities=[999]), "[999] are not identities of 'toy'"),
    (ForgetRequest(kind="class", column="y", value=7), "forget.value: [7] not a class of 'y'"),
    (ForgetRequest(kind="class", column="nope"), "forget.column: dataset 'toy' has no column 'nope'"),
    (ForgetRequest(kind="class_subset", column="y", value=0, count=100000), "asks for 100000"),
    (ForgetRequest(kind="samples", samples=["zzz"]), "unknown sample 'zzz'"),
])
def test_bad_requests_are_explained(toy_table, request_, message):
    with pytest.raises(DataError) as err:
        make_splits(toy_table, "y", request_)
    assert message in str(err.value)


def test_forget_all_of_train_is_refused(toy_table):
    with pytest.raises(DataError, match="selects all of train"):
        make_splits(toy_table, "y", ForgetRequest(kind="class", column="y", values=[0, 1, 2]))


def test_leaking_identities_are_detected(toy_table):
    with pytest.raises(DataError, match="appear in both train and test"):
        check_identity_disjoint(toy_table, {"train": torch.tensor([0, 1]), "test": torch.tensor([2])})


def test_class_subset_and_attribute(toy_table):
    sp = make_splits(toy_table, "y", ForgetRequest(kind="class_subset", column="y", value=1, fraction=0.5))
    assert (toy_table.columns["y"][sp.forget] == 1).all()
    sp = make_splits(toy_table, "y", ForgetRequest(kind="attribute", column="z", value=1))
    assert (toy_table.columns["z"][sp.forget] == 1).all() and (toy_table.columns["z"][sp.retain] == 0).all()


def test_multi_label_task(toy_table):
    sp = make_splits(toy_table, ["y", "z"], ForgetRequest(kind="identities", count=2))
    x, y = sp.tensors("test")
    assert y.shape == (len(sp.test), 2) and sp.task.out_dim == 5 and x.dtype == torch.float32
