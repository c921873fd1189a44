"""What each number in a results row means: one :class:`Key` per name, declared beside what writes it.

A metric declares the keys it produces (``metric(..., keys=(Key(...), ...))`` in core/metrics/*.py); the
pipeline's own numbers (times, the gold model's live attack, the training loss) are declared in
core/metrics/run_keys.py. Everything that shows a number in words reads the declaration: the glossary
and the tables' labels and help (core/metric_words.py), the palette's colours, the live chart and its
tiles, the CLI's results table and progress bar, and ``unlearn list --json``.

A name may hold one ``{placeholder}`` (``{attack}_auc``, ``efficacy_{column}``) for keys named after an
attack or a column; :func:`key_of` fills the placeholder into the label and meaning. An exact name
is found before a pattern, so ``mia_auc`` keeps its own words though ``{attack}_auc`` matches it too.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

BETTER = ("higher", "lower", "target")  # "target": closer to a reference value is better
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Key:
    """One named number: its label, a one-line meaning, and how to read it.

    ``better``: ``"higher"``, ``"lower"``, ``"target"`` (closer to ``target``'s value is better, else to
    the gold model's own value of this key) or None (a count, a bound: no direction). ``range``: the
    values it can take; ``chance``: what a coin toss scores. ``live``: worth watching per epoch (the CLI
    progress bar shows it); a live key with a ``color`` is drawn on the dashboard's live chart.
    ``target_word`` names ``target`` in a tile ("0.02 closer to gold"). ``headline``: a column of the
    CLI's results table."""

    name: str
    label: str
    meaning: str
    better: str | None = None
    range: tuple[float, float] | None = None
    chance: float | None = None
    live: bool = False
    color: str | None = None
    target: str | None = None
    target_word: str = ""
    headline: bool = False

    def __post_init__(self) -> None:
        if self.better not in (*BETTER, None):
            raise ValueError(f"key {self.name}: better must be one of {BETTER} or None, got {self.better!r}")
        if self.target and self.better != "target":
            raise ValueError(f"key {self.name}: a target needs better='target'")
        if not self.label.strip() or not self.meaning.strip() or "\n" in self.meaning:
            raise ValueError(f"key {self.name}: needs a label and a one-line meaning")

    @property
    def is_pattern(self) -> bool:
        return bool(_PLACEHOLDER.search(self.name))

    def match(self, name: str) -> dict[str, str] | None:
        """The placeholder values when ``name`` is this key (``{"attack": "rmia"}`` for rmia_auc), else None."""
        if not self.is_pattern:
            return {} if name == self.name else None
        parts = _PLACEHOLDER.split(self.name)  # literal, placeholder, literal, ...
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>\\w+?)" for i, p in enumerate(parts))
        found = re.fullmatch(regex, name)
        return found.groupdict() if found else None

    def named(self, name: str) -> Key:
        """This key for a concrete ``name`` (a pattern's placeholder filled into its words)."""
        values = self.match(name) or {}
        return replace(self, name=name, label=self.label.format(**values), meaning=self.meaning.format(**values))

    def as_dict(self) -> dict:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(self).items()}


_KEYS: dict[str, Key] = {}


def declare(*keys: Key) -> tuple[Key, ...]:
    """Add keys to the one declaration (in order: tables list known columns in this order)."""
    for k in keys:
        if k.name in _KEYS:
            raise ValueError(f"metric key {k.name!r} is declared twice")
        _KEYS[k.name] = k
    return keys


def declared() -> list[Key]:
    """Every declared key (patterns included), in declaration order."""
    return list(_KEYS.values())


def key_of(name: str) -> Key | None:
    """The declaration of a result name (an exact name first, then a pattern's, filled in); None if none."""
    if name in _KEYS:
        return _KEYS[name]
    found = next((k for k in _KEYS.values() if k.is_pattern and k.match(name) is not None), None)
    return found.named(name) if found else None
