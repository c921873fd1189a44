"""Where the studio keeps its state: ``$UNLEARN_HOME`` (default ``~/.unlearning-studio``).

``runs.db`` is the SQLite run store, ``runs/<id>/`` each run's files, ``cache/`` generated
datasets and trained original/gold models keyed by what produced them.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    path = Path(os.environ.get("UNLEARN_HOME", Path.home() / ".unlearning-studio")).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def cache_dir() -> Path:
    return home() / "cache"


def runs_dir() -> Path:
    return home() / "runs"


def db_path() -> Path:
    return home() / "runs.db"
