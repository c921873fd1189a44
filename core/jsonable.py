"""What of a result JSON can hold: methods and metrics may keep tensors beside their numbers (for files),
but the run document and the store take only JSON."""

from __future__ import annotations

import json
from typing import Any


def jsonable(obj: Any) -> Any:
    """Keep only what JSON can hold (methods may put tensors in artifacts for files, not the store)."""
    try:
        json.dumps(obj)
        return obj
    except TypeError:
        return {k: v for k, v in obj.items() if _is_json(v)} if isinstance(obj, dict) else None


def _is_json(v: Any) -> bool:
    try:
        json.dumps(v)
        return True
    except TypeError:
        return False
