"""``unlearn list``: every registry's names in words, or with ``--json`` everything a form or a script
needs to use them (datasets with their options, methods with their params, help and search ranges,
metrics with their declared keys: label, meaning, better-direction, range, chance line, live)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def registries() -> list[tuple[str, object]]:
    """(title, registry) for every registry ``unlearn list`` shows, in the order it shows them."""
    import core.bench  # noqa: F401
    import core.data  # noqa: F401
    import core.methods  # noqa: F401
    import core.metrics  # noqa: F401
    import core.models  # noqa: F401
    from core.bench import BENCHES
    from core.data import DATASETS
    from core.data.forget import FORGET_KINDS
    from core.methods import METHODS
    from core.metrics import METRICS
    from core.models import MODELS

    return [("datasets", DATASETS), ("models", MODELS), ("methods", METHODS), ("metrics", METRICS),
            ("forget kinds", FORGET_KINDS), ("benchmarks", BENCHES)]


def _settings(cls: type | None) -> list[dict[str, Any]]:
    """A settings dataclass's fields (name, type, default, help, bounds, choices, search) as plain JSON values."""
    from core.params import describe_params

    if cls is None:
        return []
    out = []
    for p in describe_params(cls):
        t = p["type"]
        out.append({**p, "type": getattr(t, "__name__", None) or str(t).replace("typing.", "")})
    return out


def _metadata(title: str, entry) -> dict[str, Any]:
    """One registry entry: name and description, plus what that kind of entry declares."""
    out: dict[str, Any] = {"name": entry.name, "description": entry.description}
    if title == "datasets":
        out["options"] = _settings(getattr(entry.obj, "Options", None))
    elif title == "methods":
        out["params"] = _settings(getattr(entry.obj, "Params", None))
    elif title == "metrics":
        out["live"] = entry.obj.live
        out["keys"] = [k.as_dict() for k in entry.obj.keys]
    return out


def describe() -> dict[str, list[dict[str, Any]]]:
    """Every registry with its entries' metadata, and the keys the pipeline writes itself (``run keys``)."""
    from core.metrics.run_keys import RUN_KEYS

    doc = {title: [_metadata(title, e) for e in registry.entries()] for title, registry in registries()}
    doc["run keys"] = [k.as_dict() for k in RUN_KEYS]
    return doc


def cmd_list(args: argparse.Namespace) -> int:
    if getattr(args, "json", False):
        print(json.dumps(describe(), indent=2, default=str))
        return 0
    for title, registry in registries():
        print(f"{title}:")
        for e in registry.entries():
            print(f"  {e.name:<22} {e.description}")
    return 0
