"""The bench tables' notes on where a method departs from its paper, read from the method classes.

Each method declares its deliberate departures in one place, its ``departures`` class attribute
(:class:`core.methods.base.Method`); every bench's markdown lists those of the methods it ran, so a
table never passes a variant off as the paper's method.
"""

from __future__ import annotations


def departures(methods: list[str]) -> dict[str, list[str]]:
    """``{method: [departure, ...]}`` for the registered methods among ``methods`` that declare any."""
    from core.methods import METHODS

    out = {}
    for name in dict.fromkeys(methods):
        if name in METHODS:
            notes = list(getattr(METHODS.get(name), "departures", ()) or ())
            if notes:
                out[name] = notes
    return out


def departures_markdown(methods: list[str], extra: dict[str, list[str]] | None = None) -> str:
    """A markdown list of the departures (plus ``extra`` ones a bench itself makes), or '' when none."""
    found = {**departures(methods), **(extra or {})}
    if not found:
        return ""
    lines = ["", "Departures from the papers (declared on each method):"]
    lines += [f"- {m}: {note}" for m, notes in found.items() for note in notes]
    return "\n".join(lines) + "\n"
