"""The data folders readers may open, when the machine is shared (a dashboard opened to a room).

``UNLEARN_DATA_ROOTS`` (folders separated by ``os.pathsep``; ``unlearn-dashboard --data-root``
sets it) limits every reader's ``root``, CSV and image file to those folders and what is under
them. A path outside is refused with the same words whether or not it exists, so the error tells
a visitor nothing about the server's files. Unset (a laptop, the CLI), every path is allowed.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.data.errors import DataError

ENV = "UNLEARN_DATA_ROOTS"


def allowed_roots() -> list[Path]:
    """The allowed folders, resolved (symlinks followed); empty when no limit is set."""
    raw = os.environ.get(ENV, "")
    return [Path(p).expanduser().resolve() for p in raw.split(os.pathsep) if p.strip()]


def check_inside(path: Path, dataset: str) -> Path:
    """``path`` when it lies inside an allowed folder (or no limit is set); else a DataError that
    names the allowed folders but says nothing of ``path`` itself (not even whether it exists)."""
    roots = allowed_roots()
    if not roots:
        return path
    real = Path(path).expanduser().resolve()  # '..' and symlinks cannot step outside
    if any(real == r or r in real.parents for r in roots):
        return path
    raise DataError(f"{dataset}: that path is outside the data folders this dashboard may read "
                    f"({', '.join(str(r) for r in roots)}); put the dataset under one of them")
