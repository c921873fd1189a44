"""The dataset cache: reused while the folder is unchanged, rebuilt when its annotations change."""

from __future__ import annotations

import os

from core.data import load_dataset


def test_cache_follows_annotation_changes(celeba_root, tmp_path):
    cache = tmp_path / "cache"
    first = load_dataset("celeba", {"root": str(celeba_root), "size": 8}, cache)
    assert len(list((cache / "datasets").glob("celeba-*.pt"))) == 1
    again = load_dataset("celeba", {"root": str(celeba_root), "size": 8}, cache)
    assert again.columns["Male"].tolist() == first.columns["Male"].tolist()
    assert len(list((cache / "datasets").glob("celeba-*.pt"))) == 1
    ident = celeba_root / "identity_CelebA.txt"
    ident.write_text(ident.read_text().replace("2880", "1111"))
    os.utime(ident, ns=(1, 1))
    changed = load_dataset("celeba", {"root": str(celeba_root), "size": 8}, cache)
    assert 1111 in changed.identity.tolist()
    assert len(list((cache / "datasets").glob("celeba-*.pt"))) == 2


def _folder_scenario(root) -> dict:
    """A tiny scenario on a user's folder: 2 classes, 12 people with 3 images each."""
    return {"name": "folder", "dataset": {"name": "folder", "options": {"root": str(root), "size": 8,
                                                                        "identity_column": "person"}},
            "task": "animal", "model": "smallcnn", "forget": {"kind": "identities", "count": 2},
            "method": {"name": "finetune", "params": {"epochs": 1}}, "train": {"epochs": 1, "lr": 0.003, "batch_size": 16},
            "split": {"test_fraction": 0.25, "unseen_fraction": 0.25}, "seed": 0, "device": "cpu"}


def _write_folder(root):
    from tests.data.layouts import write_image

    lines = ["file,animal,person"]
    for i in range(36):
        name = f"img{i}.png"
        write_image(root / name, i, size=(8, 8))
        lines.append(f"{name},{'cat' if i % 2 else 'dog'},p{i // 3}")
    (root / "labels.csv").write_text("\n".join(lines) + "\n")


def _events(cache, sc):
    from core.pipeline import prepare

    seen = []
    prepare(sc, lambda step, total, *, stage="", **m: seen.append((stage, m.get("cached"))), cache)
    return seen


def test_a_changed_image_in_a_folder_retrains_the_models(tmp_path):
    """The model cache keys on the table's fingerprint: one rewritten image file is a new dataset."""
    from core.config import scenario_from_dict
    from tests.data.layouts import write_image

    root, cache = tmp_path / "mine", tmp_path / "cache"
    _write_folder(root)
    sc = scenario_from_dict(_folder_scenario(root))
    assert ("original", None) in _events(cache, sc)  # trained
    assert ("original", 1.0) in _events(cache, sc)  # unchanged folder: the cached model
    write_image(root / "img4.png", 999, size=(8, 8))  # same name, same size on disk, new pixels
    assert ("original", None) in _events(cache, sc)
    assert len(list((cache / "models").glob("original-*.pt"))) == 2


def test_a_corrupt_or_half_written_cached_model_is_retrained(tmp_path):
    import pytest

    from core.config import scenario_from_dict

    root, cache = tmp_path / "mine", tmp_path / "cache"
    _write_folder(root)
    sc = scenario_from_dict(_folder_scenario(root))
    _events(cache, sc)
    [pt] = (cache / "models").glob("original-*.pt")
    pt.write_bytes(pt.read_bytes()[:100])  # truncated, as a crash or a full disk leaves it
    with pytest.warns(UserWarning, match="unreadable"):
        assert ("original", None) in _events(cache, sc)
    assert ("original", 1.0) in _events(cache, sc)  # rewritten whole: used again
    pt.with_suffix(".json").unlink()  # a .pt whose .json (written last) never landed is not trusted
    assert ("original", None) in _events(cache, sc)
    assert not list((cache / "models").glob("*.tmp")) and not list((cache / "models").glob(".*.tmp"))
