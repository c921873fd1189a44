"""The built-in synthetic faces: determinism, shapes, stable identities, masks that match the
drawing, bias controls that deliver the requested counts, clear option errors, caching, and
attributes a linear probe can learn."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.data import DATASETS, load_dataset
from core.data.synthfaces.controls import parse_controls
from core.data.synthfaces.render import render, take
from core.data.synthfaces.sample import sample_faces
from core.data.synthfaces.source import SynthFaces
from core.params import ParamError

torch.set_num_threads(1)

PER_IDENTITY = ("Male", "Young", "Bald", "Mustache", "Big_Nose", "Pointy_Nose", "skin_tone", "age_group")
PER_IMAGE = ("Smiling", "Mouth_Slightly_Open", "Eyeglasses", "Wearing_Hat")
GATED = ("Bald", "Mustache", "Big_Nose", "Pointy_Nose", "Smiling", "Mouth_Slightly_Open", "Eyeglasses", "Wearing_Hat")


def load(**options):
    return load_dataset("synthfaces", {"n_identities": 6, "images_per_identity": 5, **options})


def faces(n_ids=40, per=20, seed=0, joint="", balance=""):
    """Sampled rows only (no drawing): fast enough to check counts on thousands of images."""
    return sample_faces(n_ids, per, 32, seed, parse_controls(joint, balance, n_ids * per))


def test_registered_and_cacheable():
    assert "synthfaces" in DATASETS
    assert DATASETS.get("synthfaces").cacheable


def test_same_seed_same_data_and_other_seed_differs():
    a, b, c = load(seed=1), load(seed=1), load(seed=2)
    assert torch.equal(a.images, b.images)
    assert all(torch.equal(a.columns[k], b.columns[k]) for k in a.columns)
    assert all(torch.equal(a.masks[k], b.masks[k]) for k in a.masks)
    assert not torch.equal(a.images, c.images)


@pytest.mark.parametrize("size", [32, 64, 128])
def test_shapes_and_types(size):
    t = load_dataset("synthfaces", {"n_identities": 2, "images_per_identity": 3, "size": size})
    assert t.name == "synthfaces" and len(t) == 6
    assert t.images.dtype == torch.uint8 and t.images.shape == (6, 3, size, size)
    assert set(t.columns) == set(PER_IDENTITY) | set(PER_IMAGE)
    for name, values in t.columns.items():
        assert values.dtype == torch.int64 and int(values.max()) < len(t.classes[name])
        assert t.masks[name].dtype == torch.bool and t.masks[name].shape == (6, size, size)
    assert t.classes["Eyeglasses"] == ["no", "yes"] and len(t.classes["skin_tone"]) == 4
    assert len(t.classes["age_group"]) >= 4 and t.classes["age_group"][0] == "0-19"
    assert t.identity.dtype == torch.int64 and t.identity.tolist() == [0, 0, 0, 1, 1, 1]
    assert t.ids[4] == "id0001_img001" and t.partition is None


def test_identity_traits_stable_and_image_traits_vary():
    t = load(n_identities=8, images_per_identity=12, masks=False)
    for name in PER_IDENTITY:
        values = t.columns[name].view(8, 12)
        assert (values == values[:, :1]).all(), name
    for name in PER_IMAGE:
        values = t.columns[name].view(8, 12)
        assert (values != values[:, :1]).any(), name
    assert torch.equal(t.columns["Young"], (t.columns["age_group"] < 2).long())


def _without(row: dict, name: str) -> dict:
    return {**row, name: np.zeros_like(row[name])}


@pytest.mark.parametrize("name", ["Eyeglasses", "Wearing_Hat", "Mustache"])
def test_mask_is_exactly_where_the_attribute_is_drawn(name):
    f = faces(n_ids=20, per=4, balance=f"{name}:1")
    rows = take(f, slice(0, 8))
    on, masks = render(rows, 64, seed=0)
    off, _ = render(_without(rows, name), 64, seed=0)
    mask = masks[name]
    changed = (on != off).any(axis=1)
    assert mask.any(axis=(1, 2)).all()
    assert not changed[~mask].any()  # nothing outside the mask depends on the attribute
    assert changed[mask].mean() > 0.95  # and what is inside is the attribute's own paint


def test_masks_empty_where_binary_attribute_absent():
    t = load(n_identities=12, images_per_identity=5, size=32, balance="Bald:0.5, Mustache:0.5, Big_Nose:0.5")
    for name in GATED:
        absent = t.columns[name] == 0
        assert not t.masks[name][absent].any(), name
        present = t.masks[name][~absent].flatten(1).any(1)
        assert present.float().mean() >= (0.7 if name == "Bald" else 1.0), name  # a hat may hide a bald scalp
    assert t.masks["skin_tone"].flatten(1).any(1).all()
    assert t.masks["Male"].flatten(1).any(1).all()  # both sexes show their cues


def test_table2_joint_counts_with_per_identity_male():
    t = load(n_identities=36, images_per_identity=50, masks=False,
             joint="Mouth_Slightly_Open,Male:100,800,800,100")
    a, b = t.columns["Mouth_Slightly_Open"], t.columns["Male"]
    cells = [int(((a == i) & (b == j)).sum()) for i in (0, 1) for j in (0, 1)]
    assert cells == [100, 800, 800, 100]
    assert (t.columns["Male"].view(36, 50) == t.columns["Male"].view(36, 50)[:, :1]).all()


def _phi(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


@pytest.mark.parametrize("pair", ["Smiling,Eyeglasses", "Big_Nose,Male", "Wearing_Hat,Young", "Male,Eyeglasses"])
def test_joint_proportions_give_requested_correlation(pair):
    cells = np.array([0.4, 0.1, 0.15, 0.35])
    f = faces(n_ids=50, per=20, joint=f"{pair}:" + ",".join(map(str, cells)))
    a, b = (f[n] for n in pair.split(","))
    got = np.array([((a == i) & (b == j)).mean() for i in (0, 1) for j in (0, 1)])
    assert np.abs(got - cells).max() < 0.02
    want_phi = (0.4 * 0.35 - 0.1 * 0.15) / np.sqrt(0.5 * 0.5 * 0.55 * 0.45)
    assert abs(_phi(a, b) - want_phi) < 0.05


def test_balance_sets_class_rates():
    f = faces(n_ids=40, per=10, balance="Eyeglasses:0.5; skin_tone:1/1/2/0, Young:0.25")
    assert f["Eyeglasses"].mean() == 0.5
    assert np.bincount(f["skin_tone"], minlength=4).tolist() == [100, 100, 200, 0]
    assert f["Young"].mean() == 0.25 and ((f["age_group"] < 2) == (f["Young"] == 1)).all()


@pytest.mark.parametrize("options, words", [
    ({"size": 48}, ["size", "48", "32, 64, 128"]),
    ({"joint": "Mouth_Slightly_Open,Glasses:1,1,1,1"}, ["'Glasses'", "allowed", "Eyeglasses"]),
    ({"joint": "Smiling,Male:10,10,10,10"}, ["sum to 40", "30 images"]),
    ({"joint": "Smiling,Male:0.5,0.5"}, ["2 values given", "4 needed"]),
    ({"joint": "Smiling,Male:0.25,0.25,0.25,0.25", "balance": "Smiling:0.3"}, ["Smiling", "more than once"]),
    ({"balance": "Young:0.5; age_group:1/1/1/1"}, ["Young", "age_group"]),
    ({"balance": "Eyeglasses:1.5"}, ["[0, 1]"]),
    ({"balance": "skin_tone:1/2"}, ["skin_tone", "4 classes"]),
    ({"n_identities": 0}, ["n_identities", "minimum"]),
])
def test_bad_options_say_what_is_wrong(options, words):
    with pytest.raises(ParamError) as err:
        load(**options)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_cached_load_returns_identical_data(tmp_path, monkeypatch):
    opts = {"n_identities": 3, "images_per_identity": 4, "seed": 5, "balance": "Eyeglasses:0.5"}
    first = load_dataset("synthfaces", opts, cache_dir=tmp_path)
    assert len(list((tmp_path / "datasets").glob("synthfaces-*.pt"))) == 1
    monkeypatch.setattr(SynthFaces, "load", lambda *a, **k: pytest.fail("rebuilt instead of read from cache"))
    second = load_dataset("synthfaces", opts, cache_dir=tmp_path)
    assert torch.equal(first.images, second.images) and first.ids == second.ids
    assert all(torch.equal(first.masks[k], second.masks[k]) for k in first.masks)


def test_attributes_are_learnable_from_pixels():
    """A linear probe on raw 32 px pixels, tested on unseen people, beats the majority class."""
    from sklearn.linear_model import LogisticRegression

    t = load(n_identities=100, images_per_identity=6, size=32, masks=False)
    x = t.images.flatten(1).numpy().astype(np.float32) / 255
    x -= x.mean(0)
    train, test = t.identity.numpy() < 70, t.identity.numpy() >= 70
    for name in ("Eyeglasses", "age_group"):
        y = t.columns[name].numpy()
        probe = LogisticRegression(max_iter=100, C=0.01, tol=1e-3).fit(x[train], y[train])
        accuracy = (probe.predict(x[test]) == y[test]).mean()
        majority = np.bincount(y[test]).max() / test.sum()
        assert accuracy > majority + 0.08, (name, accuracy, majority)


def test_speed_measure_runs():
    from core.data.synthfaces.speed import measure

    assert measure(n=40, size=32) > 0
