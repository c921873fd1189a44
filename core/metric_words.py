"""Metric names in words and one plain line on what each means, read from the metrics' declarations.

The words live beside the code that computes each number (``Key`` in core/metrics/*.py and the
pipeline's own keys in core/metrics/run_keys.py); this module is the thin reader the dashboard and the
audit report share, so an auditor reads the same words as a workshop. ``METRIC_LABELS`` and
``METRIC_NOTES`` read like dicts of the declared names, in declaration order, and also answer for
names a pattern declares (``rmia_auc`` from ``{attack}_auc``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import core.metric_keys as keys
from core.metric_keys import Key


def _loaded() -> None:
    """Register every metric (so every key is declared) on first use: at import time it would close a
    circle, since method files that name metrics in words import this module while core.metrics loads."""
    import core.metrics  # noqa: F401


def key_of(name: str) -> Key | None:
    _loaded()
    return keys.key_of(name)


def declared() -> list[Key]:
    _loaded()
    return keys.declared()


class _Words(Mapping[str, str]):
    """A declared key's ``label`` or ``meaning`` by name; iterates over the declared exact names."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __getitem__(self, name: str) -> str:
        key = key_of(name)
        if key is None:
            raise KeyError(name)
        return getattr(key, self.field)

    def __iter__(self) -> Iterator[str]:
        return (k.name for k in declared() if not k.is_pattern)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and key_of(name) is not None


METRIC_LABELS: Mapping[str, str] = _Words("label")
METRIC_NOTES: Mapping[str, str] = _Words("meaning")


def metric_label(name: str) -> str:
    """A metric's name in words ("Membership attack" for mia_acc); the name itself when it has none."""
    return METRIC_LABELS.get(name, name)


def metric_note(name: str) -> str:
    """A metric's one-line meaning; "" when it has none."""
    return METRIC_NOTES.get(name, "")
