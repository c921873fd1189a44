"""Where the studio keeps its state: ``$UNLEARN_HOME`` (default ``~/.unlearning-studio``).

``runs.db`` is the SQLite run store, ``runs/<id>/`` each run's files, ``cache/`` generated
datasets and trained original/gold models keyed by what produced them.
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator


def home() -> Path:
    path = Path(os.environ.get("UNLEARN_HOME", Path.home() / ".unlearning-studio")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def home_at(path: str | Path) -> Iterator[str]:
    """``UNLEARN_HOME`` set to ``path`` for the block, restored after (benches that need their own store and cache)."""
    before = os.environ.get("UNLEARN_HOME")
    os.environ["UNLEARN_HOME"] = str(path)
    try:
        yield str(path)
    finally:
        if before is None:
            os.environ.pop("UNLEARN_HOME", None)
        else:
            os.environ["UNLEARN_HOME"] = before


def cache_dir() -> Path:
    return home() / "cache"


def runs_dir() -> Path:
    return home() / "runs"


def db_path() -> Path:
    return home() / "runs.db"


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Have ``write`` fill a temporary file beside ``path``, then rename it over ``path`` in one step.

    The temporary name is unique to this process and call, so two runs writing the same cache entry
    never write into one half-finished file, and a reader sees the old file or the new one, whole."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
