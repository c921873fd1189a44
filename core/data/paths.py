"""Finding a dataset's folder and files, with errors that say what to put where."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from core.data.roots import check_inside
from core.data.source import DataError


def require_dir(root: str | Path, dataset: str, expected: str) -> Path:
    """The dataset's root folder as a Path; a DataError naming the layout when it is unset or absent."""
    if not str(root).strip():
        raise DataError(f"{dataset}: option 'root' is empty; set it to the folder that holds {expected}")
    path = check_inside(Path(root).expanduser(), dataset)  # before looking: an outside path is never probed
    if not path.is_dir():
        raise DataError(f"{dataset}: root folder {path} does not exist; point 'root' at the folder that holds {expected}")
    return path


def require_file(path: Path, dataset: str, what: str) -> Path:
    """``path`` if it is a file; otherwise a DataError naming it and what it should hold."""
    if not path.is_file():
        raise DataError(f"{dataset}: missing {what}: {path} not found; put the dataset's {path.name} there")
    return path


def first_existing(candidates: Iterable[Path], dataset: str, what: str, directory: bool = False) -> Path:
    """The first candidate that exists (a file, or a folder with ``directory``); else a DataError listing them."""
    candidates = list(candidates)
    for path in candidates:
        if (path.is_dir() if directory else path.is_file()):
            return path
    tried = ", ".join(str(p) for p in candidates)
    raise DataError(f"{dataset}: missing {what}; looked for: {tried}")


def resolve(root: Path, name: str) -> Path:
    """``name`` relative to ``root`` unless it is absolute (a user's CSV may give either)."""
    path = Path(name).expanduser()
    return check_inside(path if path.is_absolute() else root / path, "dataset")
