"""Splits on the readers' own partitions, loaded from the on-disk fixtures: an official test image is
never trained on, unseen is carved out of the official train, and the reader-path error checks."""

from __future__ import annotations

import pytest
import torch

from core.data import DataError, load_dataset
from core.data.forget import ForgetRequest
from core.data.split_rows import train_rows
from core.data.splits import make_splits
from core.data.table import TEST, TRAIN

from tests.data.layouts import write_corrupt

pytestmark = pytest.mark.timeout(60)

# reader name, fixture, task column, prefix of the ids of the official test images
OFFICIAL_TEST = [("cifar10", "cifar_root", "label", "test_batch/"), ("fairface", "fairface_root", "gender", "val/")]


def _load(name: str, root) -> object:
    return load_dataset(name, {"root": str(root)} if name == "cifar10" else {"root": str(root), "size": 8})


def _one_sample_request(table, seed: int) -> ForgetRequest:
    """Forget the first training row, whichever rows the seeded unseen carve left in train."""
    return ForgetRequest(kind="samples", samples=[table.ids[int(train_rows(table, seed)[0])]])


@pytest.mark.parametrize("name, fixture, task, prefix", OFFICIAL_TEST)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_official_test_stays_test_and_unseen_comes_from_official_train(request, name, fixture, task, prefix, seed):
    table = _load(name, request.getfixturevalue(fixture))
    assert (table.partition == TEST).any() and not (table.partition == 2).any()  # the reader ships no unseen
    splits = make_splits(table, task, _one_sample_request(table, seed), seed=seed)
    official_test = {i for i, s in enumerate(table.ids) if s.startswith(prefix)}
    assert set(splits.test.tolist()) == official_test
    for split in ("train", "forget", "retain", "unseen"):
        assert not set(splits.index(split).tolist()) & official_test, f"an official test image is in {split}"
    assert len(splits.unseen) >= 1 and (table.partition[splits.unseen] == TRAIN).all()
    assert len(splits.train) + len(splits.unseen) == int((table.partition == TRAIN).sum())


def test_unseen_carved_from_official_train_takes_whole_identities(folder_root):
    """A folder shipping train/test (no unseen) with people: unseen takes every image of its people."""
    csv = folder_root / "labels.csv"
    text = csv.read_text().replace("unseen", "train").replace("b/dog1.png,dog,1,alice", "b/dog1.png,dog,1,dave")
    csv.write_text(text)
    table = load_dataset("folder", {"root": str(folder_root), "size": 8, "identity_column": "person",
                                    "partition_column": "split"})
    assert table.partition.tolist() == [TRAIN, TRAIN, TEST, TRAIN, TRAIN]
    carved = set()
    for seed in range(6):
        request = ForgetRequest(kind="identities", count=1)
        splits = make_splits(table, "animal", request, seed=seed, unseen_fraction=0.34)
        assert splits.test.tolist() == [2]  # b/dog1.png, the official test image
        unseen_people = set(table.identity[splits.unseen].tolist())
        assert len(unseen_people) == 1 and not unseen_people & set(table.identity[splits.train].tolist())
        every_image = torch.isin(table.identity, torch.tensor(list(unseen_people))).nonzero().squeeze(1)
        assert set(splits.unseen.tolist()) == set(every_image.tolist())
        carved |= unseen_people
    assert len(carved) > 1  # the seed chooses who is unseen


def test_too_small_an_official_train_for_unseen_is_explained(fairface_root):
    table = _load("fairface", fairface_root)
    with pytest.raises(DataError, match="own train partition are too few"):
        make_splits(table, "gender", ForgetRequest(kind="samples", samples=["train/1.jpg"]), unseen_fraction=0.01)


def test_an_empty_forget_set_names_the_request(fairface_root):
    table = _load("fairface", fairface_root)
    assert "0-2" in table.classes["age"]  # a class of the release that no fixture image has
    with pytest.raises(DataError, match=r"request \(class column=age values=\[0\]\) selects no training image"):
        make_splits(table, "gender", ForgetRequest(kind="class", column="age", values=[0]))


@pytest.mark.parametrize("name, fixture, options, task, leaked", [
    ("celeba", "celeba_root", {}, "Male", 2937),  # 2937 is in list_eval_partition's train and test
    ("folder", "folder_root", {"identity_column": "person", "partition_column": "split"}, "animal", 0),  # alice
])
def test_identity_leaking_across_a_readers_own_partition_is_refused(request, name, fixture, options, task, leaked):
    table = load_dataset(name, {"root": str(request.getfixturevalue(fixture)), "size": 8, **options})
    assert leaked in table.identity[table.partition == TRAIN].tolist()
    assert leaked in table.identity[table.partition == TEST].tolist()
    with pytest.raises(DataError, match=rf"identities \[{leaked}\] appear in both train and test"):
        make_splits(table, task, ForgetRequest(kind="samples", samples=["0"]))


def test_skipped_summary_counts_and_names_the_first_files(folder_root):
    for name in ("a/cat2.jpg", "b/dog1.png", "b/dog2.png", "b/dog3.png"):
        write_corrupt(folder_root / name)
    table = load_dataset("folder", {"root": str(folder_root), "size": 8})
    assert len(table) == 1 and len(table.skipped) == 4
    summary = table.skipped_summary(first=3)
    assert summary.startswith("4 unreadable images skipped") and summary.endswith("and 1 more")
    assert "a/cat2.jpg, b/dog1.png, b/dog2.png" in summary and "b/dog3.png" not in summary
    assert load_dataset("digits", {"size": 8}).skipped_summary() == ""
