"""Which code produced a run: the package version and, in a git checkout, the commit.

Recorded by the pipeline when a run finishes (so a report shows the code of the run, not of the
day the report is written) and used by the report as a fallback for runs that did not record it. An
engine module, so the pipeline reads it without importing the report that renders runs.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import core


def code_version() -> dict[str, str | None]:
    """``{"version": core.__version__, "commit": git HEAD or None, "dirty": "yes"/"no" or None}``."""
    root = Path(core.__file__).resolve().parent.parent
    commit = _git(root, "rev-parse", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no") if commit else None
    return {"version": core.__version__, "commit": commit,
            "dirty": None if status is None else ("yes" if status else "no")}


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None
