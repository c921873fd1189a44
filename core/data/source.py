"""The dataset interface and its registry.

A dataset is a small class with an ``Options`` dataclass (what the user may set; the dashboard and
the config validator read it) and one verb, ``load(options, cache_dir) -> ImageTable``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, ClassVar

import torch

from core.data.errors import DataError  # noqa: F401  (re-exported)
from core.data.table import ImageTable
from core.paths import atomic_write
from core.registry import Registry


class DatasetSource:
    """Base class: subclasses set ``Options`` and implement ``load``."""

    @dataclass
    class Options:
        pass

    cacheable: ClassVar[bool] = False

    def load(self, options, cache_dir: Path | None = None) -> ImageTable:
        raise NotImplementedError


DATASETS: Registry[type[DatasetSource]] = Registry("dataset")


def options_key(name: str, options) -> str:
    """A short stable hash of a dataset's name and options, for cache file names."""
    blob = json.dumps({"name": name, **asdict(options)}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def folder_fingerprint(options) -> str:
    """Size and mtime of the files and folders at the top of ``options.root`` (two levels), so a
    cached copy of a real dataset is rebuilt when the user changes the annotations or images."""
    root = Path(getattr(options, "root", "") or "")
    if not str(root) or not root.is_dir():
        return ""
    entries = []
    for path in sorted([*root.iterdir(), *(p for d in root.iterdir() if d.is_dir() for p in d.iterdir())]):
        if path.is_file() and path.suffix.lower() in (".txt", ".csv", ".meta", "") or path.is_dir():
            st = path.stat()
            entries.append(f"{path.relative_to(root)}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(entries).encode()).hexdigest()[:12]


def cached_table(path: Path, build: Callable[[], ImageTable]) -> ImageTable:
    """Load a table from ``path`` or build and save it there (atomic rename)."""
    if path.exists():
        try:
            return ImageTable.from_state(torch.load(path, weights_only=True))
        except Exception:
            path.unlink(missing_ok=True)  # a corrupt or outdated cache is rebuilt, not trusted
    table = build()
    atomic_write(path, lambda tmp: torch.save(table.to_state(), tmp))  # a temporary name no other process shares
    return table


def load_dataset(name: str, options: dict | None = None, cache_dir: Path | None = None) -> ImageTable:
    """Load a registered dataset by name with options given as a plain dict."""
    from core.params import build_params

    source_cls = DATASETS.get(name)
    opts = build_params(source_cls.Options, options or {}, where=f"dataset.options ({name})")
    source = source_cls()
    if source.cacheable and cache_dir is not None:
        key = options_key(name, opts) + folder_fingerprint(opts)
        path = Path(cache_dir) / "datasets" / f"{name}-{key}.pt"
        return cached_table(path, lambda: source.load(opts, cache_dir))
    return source.load(opts, cache_dir)
