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
