"""Widget values that survive a page change or a hidden widget.

Streamlit forgets a widget's value as soon as a script run does not draw it (another page, or a
field of another forget kind). :func:`remember` restores a widget's value from a plain session key
before it is drawn, and :func:`keep` copies it back after, so the ticked people and the request a
user built are still there when they come back.
"""

from __future__ import annotations

from typing import Any, Iterable

import streamlit as st

PREFIX = "kept."


def remember(key: str, default: Any, options: Iterable | None = None) -> None:
    """Before drawing the widget ``key`` (without a default of its own): give it its kept value, else
    ``default``; a kept value that is no longer among ``options`` falls back to ``default``."""
    if key in st.session_state:
        value = st.session_state[key]
    else:
        value = st.session_state.get(PREFIX + key, default)
    if options is not None:
        allowed = list(options)
        if isinstance(value, list):
            value = [v for v in value if v in allowed]
        elif value not in allowed:
            value = default
    st.session_state[key] = value
    st.session_state[PREFIX + key] = value


def keep(key: str) -> Any:
    """After drawing the widget ``key``: copy its value to the plain key that outlives it; return it."""
    value = st.session_state.get(key)
    st.session_state[PREFIX + key] = value
    return value


def kept(key: str, default: Any = None) -> Any:
    return st.session_state.get(PREFIX + key, default)


def set_kept(key: str, value: Any) -> None:
    st.session_state[PREFIX + key] = value
