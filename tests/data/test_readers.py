"""The dataset readers, loaded through the public API from tiny fixtures in each real layout."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path

import pytest
import torch

from core.data import DATASETS, DataError, load_dataset
from core.data.table import TEST, TRAIN, UNASSIGNED, UNSEEN
from core.params import ParamError, field_help

from tests.data.layouts import CELEBA_ATTRS, CIFAR_NAMES, write_corrupt, write_image

pytestmark = pytest.mark.timeout(60)


def test_registered_names():
    assert {"celeba", "cifar10", "digits", "fairface", "folder", "mucac", "mufac"} <= set(DATASETS.names())


@pytest.mark.parametrize("name", DATASETS.names())
def test_options_are_dataclasses_with_help(name):
    """Every dataset's options are a dataclass with a help line on every field (forms and --help use them)."""
    options = DATASETS.get(name).Options
    assert dataclasses.is_dataclass(options)
    for f in dataclasses.fields(options):
        assert field_help(f).strip(), f"{name}.{f.name} has no help"
    options()  # every field has a default


# -- digits ---------------------------------------------------------------------------------------


def test_digits_default_and_size(tmp_path):
    table = load_dataset("digits")
    assert table.images.shape == (1797, 1, 32, 32) and table.images.dtype == torch.uint8
    assert table.classes["digit"] == [str(d) for d in range(10)]
    assert sorted(table.columns["digit"].unique().tolist()) == list(range(10))
    assert table.identity is None and table.partition is None
    assert int(table.images.max()) == 255
    small = load_dataset("digits", {"size": 8}, cache_dir=tmp_path)
    assert small.images.shape == (1797, 1, 8, 8)
    assert torch.equal(load_dataset("digits", {"size": 8}, cache_dir=tmp_path).images, small.images)  # from the cache
    with pytest.raises(ParamError):
        load_dataset("digits", {"size": 4})


# -- CelebA ---------------------------------------------------------------------------------------


def test_celeba(celeba_root):
    table = load_dataset("celeba", {"root": str(celeba_root), "size": 16})
    assert table.images.shape == (6, 3, 16, 16) and table.images.dtype == torch.uint8
    assert list(table.columns) == CELEBA_ATTRS
    assert all(table.classes[a] == ["no", "yes"] for a in CELEBA_ATTRS)
    # fixture: attribute j of image i is 1 when i + j is even
    assert table.columns["5_o_Clock_Shadow"].tolist() == [1, 0, 1, 0, 1, 0]
    assert table.columns["Arched_Eyebrows"].tolist() == [0, 1, 0, 1, 0, 1]
    assert table.identity.tolist() == [2880, 2880, 2937, 8692, 5805, 2937]
    assert table.partition.tolist() == [TRAIN, TRAIN, TRAIN, UNSEEN, TEST, TEST]
    assert table.ids[0] == "000001.jpg" and table.skipped == []


def test_celeba_parent_folder_and_max_images(celeba_root):
    table = load_dataset("celeba", {"root": str(celeba_root.parent), "size": 8, "max_images": 3})
    # shared over the partitions in file order, each keeping at least one: 3 train, 1 valid, 2 test -> 1, 1, 1
    assert len(table) == 3
    assert table.partition.tolist() == [TRAIN, UNSEEN, TEST]
    assert table.ids == ["000001.jpg", "000004.jpg", "000005.jpg"]


def test_celeba_corrupt_image_skipped_or_error(celeba_root):
    write_corrupt(celeba_root / "img_align_celeba" / "000002.jpg")
    table = load_dataset("celeba", {"root": str(celeba_root), "size": 8})
    assert len(table) == 5 and "000002.jpg" not in table.ids
    assert len(table.skipped) == 1 and "000002.jpg" in table.skipped[0]
    assert table.identity.tolist() == [2880, 2937, 8692, 5805, 2937]  # rows stay aligned
    with pytest.raises(DataError, match="000002.jpg"):
        load_dataset("celeba", {"root": str(celeba_root), "size": 8, "on_bad_image": "error"})


def test_celeba_missing_or_truncated_image_is_a_bad_image(celeba_root):
    (celeba_root / "img_align_celeba" / "000006.jpg").unlink()
    truncated = celeba_root / "img_align_celeba" / "000003.jpg"
    truncated.write_bytes(truncated.read_bytes()[:200])
    table = load_dataset("celeba", {"root": str(celeba_root), "size": 8})
    assert len(table) == 4 and len(table.skipped) == 2
    assert "000003.jpg" in table.skipped[0] and "000006.jpg" in table.skipped[1]


def test_celeba_all_images_bad_is_an_error(celeba_root):
    shutil.rmtree(celeba_root / "img_align_celeba")
    (celeba_root / "img_align_celeba").mkdir()
    with pytest.raises(DataError, match="none of the 6 images"):
        load_dataset("celeba", {"root": str(celeba_root), "size": 8})


@pytest.mark.parametrize("missing", ["list_attr_celeba.txt", "identity_CelebA.txt", "list_eval_partition.txt"])
def test_celeba_missing_annotation_file(celeba_root, missing):
    (celeba_root / missing).unlink()
    with pytest.raises(DataError, match=missing):
        load_dataset("celeba", {"root": str(celeba_root)})


def test_celeba_bad_annotations(celeba_root):
    path = celeba_root / "identity_CelebA.txt"
    path.write_text(path.read_text().replace("000004.jpg 8692\n", ""))
    with pytest.raises(DataError, match="000004.jpg"):
        load_dataset("celeba", {"root": str(celeba_root)})
    (celeba_root / "list_attr_celeba.txt").write_text("6\nMale Young\n000001.jpg 1\n")
    with pytest.raises(DataError, match="line 3"):
        load_dataset("celeba", {"root": str(celeba_root)})


@pytest.mark.parametrize("name", ["celeba", "mucac", "mufac", "fairface", "cifar10", "folder"])
def test_missing_or_unset_root(tmp_path, name):
    with pytest.raises(DataError, match="does not exist"):
        load_dataset(name, {"root": str(tmp_path / "nowhere")})
    with pytest.raises(DataError, match="root"):
        load_dataset(name, {})


# -- MUCAC ----------------------------------------------------------------------------------------


def test_mucac(mucac_root):
    table = load_dataset("mucac", {"root": str(mucac_root), "size": 16})
    assert table.images.shape == (6, 3, 16, 16)
    assert list(table.columns) == ["Male", "Smiling", "Young"]
    male, smiling, young = (CELEBA_ATTRS.index(a) for a in ("Male", "Smiling", "Young"))
    assert table.columns["Male"].tolist() == [int((i + male) % 2 == 0) for i in range(6)]
    assert table.columns["Smiling"].tolist() == [int((i + smiling) % 2 == 0) for i in range(6)]
    assert table.columns["Young"].tolist() == [int((i + young) % 2 == 0) for i in range(6)]
    assert table.classes["Young"] == ["no", "yes"]
    assert table.identity.tolist() == [5, 200, 200, 3000, 5000, 6100]
    assert table.partition.tolist() == [TEST, TRAIN, TRAIN, TRAIN, UNSEEN, UNSEEN]


def test_mucac_options(mucac_root):
    table = load_dataset("mucac", {
        "root": str(mucac_root), "size": 8, "attributes": ["Eyeglasses"], "unseen_identities_from": 3000,
    })
    assert list(table.columns) == ["Eyeglasses"]
    assert table.partition.tolist() == [TEST, TRAIN, TRAIN, UNSEEN, UNSEEN, UNSEEN]
    with pytest.raises(DataError, match="Wears_Monocle.*attributes present"):
        load_dataset("mucac", {"root": str(mucac_root), "attributes": ["Wears_Monocle"]})


def test_mucac_celebamask_fallbacks(mucac_root):
    """CelebAMask-HQ's own attribute file and a flat CelebA-HQ-img/ folder are accepted."""
    (mucac_root / "CelebA-HQ-attribute.txt").rename(mucac_root / "CelebAMask-HQ" / "CelebAMask-HQ-attribute-anno.txt")
    (mucac_root / "CelebAMask-HQ" / "CelebA-HQ-img").rename(mucac_root / "CelebA-HQ-img")
    assert len(load_dataset("mucac", {"root": str(mucac_root), "size": 8})) == 6


def test_mucac_missing_files(mucac_root):
    (mucac_root / "CelebA-HQ-attribute.txt").unlink()
    with pytest.raises(DataError, match="attribute file.*CelebA-HQ-attribute.txt"):
        load_dataset("mucac", {"root": str(mucac_root)})
    (mucac_root / "CelebA-HQ-identity.txt").unlink()
    with pytest.raises(DataError, match="CelebA-HQ-identity.txt"):
        load_dataset("mucac", {"root": str(mucac_root)})


# -- MUFAC ----------------------------------------------------------------------------------------


def test_mufac(mufac_root):
    table = load_dataset("mufac", {"root": str(mufac_root), "size": 16})
    assert table.images.shape == (8, 3, 16, 16)
    assert table.columns["age_class"].tolist() == [0, 1, 4, 7, 6, 2, 3, 5]  # a b e h | g c | d f
    assert table.classes["age_class"][0] == "0-6" and len(table.classes["age_class"]) == 8
    assert table.partition.tolist() == [TRAIN] * 4 + [TEST] * 2 + [UNSEEN] * 2
    ident = table.identity.tolist()
    assert ident[0] == ident[1] != ident[2]  # F0001/D twice, then F0001/M: a person is (family, role)
    assert ident[3] != ident[0]  # F0002/D is not F0001/D
    assert ident[6] == ident[7] and len(set(ident)) == 6
    assert table.ids[0].startswith("train_images/F0001_AGE_D")


def test_mufac_missing_column_and_bad_age(mufac_root):
    path = mufac_root / "custom_val_dataset.csv"
    path.write_text(path.read_text().replace("age_class", "age"))
    with pytest.raises(DataError, match=r"custom_val_dataset.csv has no column 'age_class'.*columns present: family_id"):
        load_dataset("mufac", {"root": str(mufac_root)})
    path.write_text(path.read_text().replace(",age,", ",age_class,").replace(",g,", ",z,"))
    with pytest.raises(DataError, match="age_class 'z'"):
        load_dataset("mufac", {"root": str(mufac_root)})


def test_mufac_needs_train_csv_others_optional(mufac_root):
    (mufac_root / "custom_test_dataset.csv").unlink()
    table = load_dataset("mufac", {"root": str(mufac_root), "size": 8})
    assert UNSEEN not in table.partition.tolist() and len(table) == 6
    (mufac_root / "custom_train_dataset.csv").unlink()
    with pytest.raises(DataError, match="custom_train_dataset.csv"):
        load_dataset("mufac", {"root": str(mufac_root)})


# -- FairFace -------------------------------------------------------------------------------------


def test_fairface(fairface_root):
    table = load_dataset("fairface", {"root": str(fairface_root), "size": 16})
    assert table.images.shape == (6, 3, 16, 16)
    classes = table.classes
    assert classes["gender"] == ["Female", "Male"]
    assert classes["age"][:3] == ["0-2", "3-9", "10-19"] and classes["age"][-1] == "more than 70"
    assert classes["race"][:2] == ["White", "Black"] and len(classes["race"]) == 7
    assert [classes["age"][c] for c in table.columns["age"]] == ["50-59", "30-39", "3-9", "more than 70", "3-9", "50-59"]
    assert [classes["race"][c] for c in table.columns["race"]][:2] == ["East Asian", "Indian"]
    assert [classes["gender"][c] for c in table.columns["gender"]] == ["Male", "Female", "Female", "Male", "Male", "Female"]
    assert "service_test" not in table.columns and table.identity is None
    assert table.partition.tolist() == [TRAIN] * 4 + [TEST] * 2
    assert table.ids[-1] == "val/2.jpg"


def test_fairface_corrupt_image_and_missing_column(fairface_root):
    write_corrupt(fairface_root / "train" / "3.jpg")
    table = load_dataset("fairface", {"root": str(fairface_root), "size": 8})
    assert len(table) == 5 and table.skipped[0].startswith("train/3.jpg")
    with pytest.raises(DataError, match="train/3.jpg"):
        load_dataset("fairface", {"root": str(fairface_root), "on_bad_image": "error"})
    path = fairface_root / "fairface_label_train.csv"
    path.write_text(path.read_text().replace("race", "ethnicity"))
    with pytest.raises(DataError, match="no column 'race'"):
        load_dataset("fairface", {"root": str(fairface_root)})
    path.unlink()
    with pytest.raises(DataError, match="fairface_label_train.csv"):
        load_dataset("fairface", {"root": str(fairface_root)})


# -- CIFAR-10 -------------------------------------------------------------------------------------


def test_cifar10(cifar_root):
    table = load_dataset("cifar10", {"root": str(cifar_root.parent)})
    assert table.images.shape == (13, 3, 32, 32) and table.images.dtype == torch.uint8
    assert table.classes["label"] == CIFAR_NAMES
    labels = table.columns["label"].tolist()
    assert labels == [2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 3, 8, 6]
    living = {"bird", "cat", "deer", "dog", "frog", "horse"}
    assert table.columns["living"].tolist() == [int(CIFAR_NAMES[c] in living) for c in labels]
    assert table.classes["living"] == ["no", "yes"]
    assert table.partition.tolist() == [TRAIN] * 10 + [TEST] * 3
    with open(cifar_root / "test_batch", "rb") as f:
        first = pickle.load(f)[b"data"][0]
    assert torch.equal(table.images[10].flatten(), torch.from_numpy(first))  # row-major R, G, B planes
    small = load_dataset("cifar10", {"root": str(cifar_root), "max_images": 4})
    assert len(small) == 4 and set(small.partition.tolist()) == {TRAIN, TEST}


def test_cifar10_missing_file_and_refuses_foreign_pickles(cifar_root):
    (cifar_root / "data_batch_3").unlink()
    with pytest.raises(DataError, match="data_batch_3"):
        load_dataset("cifar10", {"root": str(cifar_root)})
    with open(cifar_root / "data_batch_3", "wb") as f:
        pickle.dump({"data": Path("x")}, f)  # a pickle naming a global outside the numpy allow-list
    with pytest.raises(DataError, match="not a CIFAR-10 python batch"):
        load_dataset("cifar10", {"root": str(cifar_root)})


# -- folder ---------------------------------------------------------------------------------------


def test_folder(folder_root):
    table = load_dataset("folder", {
        "root": str(folder_root), "size": 12, "identity_column": "person", "partition_column": "split",
    })
    assert table.images.shape == (5, 3, 12, 12)
    assert list(table.columns) == ["animal", "glasses"]
    assert table.classes["animal"] == ["cat", "dog"] and table.columns["animal"].tolist() == [0, 0, 1, 1, 1]
    assert table.classes["glasses"] == ["0", "1", "10"]  # whole numbers in numeric order
    assert table.columns["glasses"].tolist() == [1, 0, 1, 0, 2]
    assert table.identity.tolist() == [0, 1, 0, 2, 2]  # alice, bob, alice, carol, carol
    assert table.partition.tolist() == [TRAIN, TRAIN, TEST, UNSEEN, UNSEEN]
    assert table.ids == ["a/cat1.png", "a/cat2.jpg", "b/dog1.png", "b/dog2.png", "b/dog3.png"]


def test_folder_defaults_every_other_column_is_a_label(folder_root):
    table = load_dataset("folder", {"root": str(folder_root), "size": 8})
    assert list(table.columns) == ["animal", "glasses", "person", "split"]
    assert table.identity is None and table.partition is None
    assert UNASSIGNED == -1


def test_folder_errors(folder_root):
    with pytest.raises(DataError, match=r"no column 'who'.*columns present: file, animal"):
        load_dataset("folder", {"root": str(folder_root), "identity_column": "who"})
    with pytest.raises(DataError, match="labels2.csv"):
        load_dataset("folder", {"root": str(folder_root), "csv": "labels2.csv"})
    csv = folder_root / "labels.csv"
    csv.write_text(csv.read_text().replace("unseen", "holdout", 1))
    with pytest.raises(DataError, match="line 5.*'holdout'"):
        load_dataset("folder", {"root": str(folder_root), "partition_column": "split"})
    csv.write_text(csv.read_text().replace("b/dog1.png,dog", "b/dog1.png,"))
    with pytest.raises(DataError, match="line 4 has no value in column 'animal'"):
        load_dataset("folder", {"root": str(folder_root)})
    csv.write_text("file\n")
    with pytest.raises(DataError, match="no label column"):
        load_dataset("folder", {"root": str(folder_root)})
    csv.write_text("file,animal\n")
    with pytest.raises(DataError, match="lists no images"):
        load_dataset("folder", {"root": str(folder_root)})


def test_folder_corrupt_png_skipped_or_error(folder_root):
    write_corrupt(folder_root / "b" / "dog2.png")
    table = load_dataset("folder", {"root": str(folder_root), "size": 8, "identity_column": "person"})
    assert len(table) == 4 and table.skipped == [s for s in table.skipped if s.startswith("b/dog2.png: ")]
    assert table.identity.tolist() == [0, 1, 0, 2]
    with pytest.raises(DataError, match="b/dog2.png.*on_bad_image='skip'"):
        load_dataset("folder", {"root": str(folder_root), "on_bad_image": "error"})
    with pytest.raises(ParamError, match="allowed: skip, error"):
        load_dataset("folder", {"root": str(folder_root), "on_bad_image": "ignore"})


# -- identities by name, duplicates, allowed data folders (issue 12) -------------------------------


def _people_folder(root: Path, people: list[str], parts: list[str]) -> Path:
    lines = ["file,animal,person,split"]
    for i, (who, part) in enumerate(zip(people, parts)):
        write_image(root / f"{i}.png", 300 + i, size=(12, 12))
        lines.append(f"{i}.png,{'cat' if i % 2 else 'dog'},{who},{part}")
    (root / "labels.csv").write_text("\n".join(lines) + "\n")
    return root


def test_folder_keeps_whole_number_identities_and_the_names_of_the_others(tmp_path):
    """One non-integer name used to renumber every person, so identities: [4] removed CSV person 11."""
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits

    people = ["11", "11", "4", "4", "bob", "bob", "7", "8"]
    root = _people_folder(tmp_path / "p", people, ["train"] * 6 + ["test", "unseen"])
    table = load_dataset("folder", {"root": str(root), "size": 8, "identity_column": "person",
                                    "partition_column": "split"})
    assert table.identity.tolist() == [11, 11, 4, 4, 12, 12, 7, 8]  # numbers stay; bob comes after the largest
    assert table.identity_names == {12: "bob"} and table.identity_label(12) == "bob (12)"
    for wanted, rows in (([4], [2, 3]), ([11], [0, 1]), (["bob"], [4, 5]), (["11", "bob"], [0, 1, 4, 5])):
        splits = make_splits(table, "animal", ForgetRequest(kind="identities", identities=wanted))
        assert sorted(splits.forget.tolist()) == rows, wanted
    with pytest.raises(DataError, match=r"\['zed'\] are not identities of 'folder'; give a code or a name, e.g.*bob \(12\)"):
        make_splits(table, "animal", ForgetRequest(kind="identities", identities=["zed"]))
    with pytest.raises(DataError, match=r"7 are not in the training split"):
        make_splits(table, "animal", ForgetRequest(kind="identities", identities=[7]))


def test_folder_refuses_an_image_listed_twice_naming_the_lines(folder_root):
    csv = folder_root / "labels.csv"
    text = csv.read_text()
    csv.write_text(text + "a/cat1.png,cat,1,alice,train\n")  # line 7 repeats line 2
    with pytest.raises(DataError, match=r"lists the same image more than once: 'a/cat1.png' on lines 2 and 7; keep one"):
        load_dataset("folder", {"root": str(folder_root), "identity_column": "person"})
    csv.write_text(text + "a/cat1.png,cat,1,bob,test\n")  # the same file under another person
    with pytest.raises(DataError, match=r"lines 2 and 7 under two identities \('alice' and 'bob'\)"):
        load_dataset("folder", {"root": str(folder_root), "identity_column": "person"})


def test_readers_open_only_the_allowed_data_folders(folder_root, tmp_path, monkeypatch):
    """Off localhost the dashboard sets UNLEARN_DATA_ROOTS; a path outside is refused in words that
    say nothing of whether it exists."""
    monkeypatch.setenv("UNLEARN_DATA_ROOTS", str(tmp_path / "allowed"))
    refusals = []
    for outside in (folder_root, tmp_path / "no-such-folder", Path("/etc")):
        with pytest.raises(DataError, match="outside the data folders this dashboard may read") as err:
            load_dataset("folder", {"root": str(outside)})
        refusals.append(str(err.value))
    assert len(set(refusals)) == 1 and "no-such-folder" not in refusals[0] and "mine" not in refusals[0]
    allowed = tmp_path / "allowed"
    shutil.copytree(folder_root, allowed)
    assert len(load_dataset("folder", {"root": str(allowed), "size": 8})) == 5
    csv = allowed / "labels.csv"
    csv.write_text(csv.read_text() + f"{folder_root / 'a' / 'cat1.png'},cat,1,alice,train\n")  # escapes by path
    with pytest.raises(DataError, match="outside the data folders"):
        load_dataset("folder", {"root": str(allowed), "size": 8})


def test_skipped_images_are_counted_in_the_sizes_and_warned_about(tmp_path):
    """`unlearn run` used to leave unreadable images out silently; the run's sizes and warnings say so."""
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits

    root = _people_folder(tmp_path / "p", ["1", "1", "2", "2", "3", "4"], ["train"] * 4 + ["test", "unseen"])
    write_corrupt(root / "1.png")
    table = load_dataset("folder", {"root": str(root), "size": 8, "identity_column": "person",
                                    "partition_column": "split"})
    splits = make_splits(table, "animal", ForgetRequest(kind="identities", identities=[2]))
    assert splits.sizes() == {"train": 3, "forget": 2, "retain": 1, "test": 1, "unseen": 1, "skipped": 1}
    assert splits.warnings() == ["1 unreadable image skipped (on_bad_image='skip'): 1.png"]
