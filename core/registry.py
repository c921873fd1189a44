"""One small Registry: name -> entry, shared by datasets, models, methods, metrics and benches.

Adding a capability is one new file that calls ``REGISTRY.register(...)`` plus one import line in
its package ``__init__``; ``unlearn list`` and the conformance tests pick it up from here.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Callable, Generic, Iterator, TypeVar

T = TypeVar("T")


class UnknownName(KeyError):
    """A name that is not registered; the message lists the allowed names."""

    def __str__(self) -> str:  # KeyError quotes its message; we want plain text
        return str(self.args[0])


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered object with its name and one-line description."""

    name: str
    obj: T
    description: str


class Registry(Generic[T]):
    """A named collection of entries of one kind ("dataset", "method", ...)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def add(self, name: str, obj: T, description: str) -> T:
        """Register ``obj`` under ``name``; a duplicate name is a programming error."""
        if name in self._entries:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = Entry(name, obj, description.strip().splitlines()[0] if description else "")
        return obj

    def register(self, name: str, description: str = "") -> Callable[[T], T]:
        """Decorator form of :meth:`add`; the description defaults to the docstring's first line."""

        def wrap(obj: T) -> T:
            return self.add(name, obj, description or (getattr(obj, "__doc__", None) or ""))

        return wrap

    def get(self, name: str) -> T:
        """The entry's object, or :class:`UnknownName` naming the allowed values."""
        try:
            return self._entries[name].obj
        except KeyError:
            raise UnknownName(
                f"unknown {self.kind} {name!r}; allowed: {', '.join(self.names()) or '(none registered)'}"
            ) from None

    def names(self, pattern: str = "*") -> list[str]:
        """Registered names matching a glob, sorted."""
        return sorted(n for n in self._entries if fnmatch.fnmatch(n, pattern))

    def entries(self) -> list[Entry[T]]:
        return [self._entries[n] for n in self.names()]

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)
