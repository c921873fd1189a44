"""Teaching mode: a sidebar switch that adds a plain "what this means" line under every number and chart.

The switch lives in ``st.session_state`` (key :data:`KEY`) so every page reads the same choice;
the lines themselves come from the glossary, so there is one text per idea.
"""

from __future__ import annotations

import streamlit as st

KEY = "teaching"


def teaching_toggle() -> bool:
    """Draw the sidebar switch (once per script run, from the app's router) and return its state."""
    return st.sidebar.toggle("Teaching mode", key=KEY, help="Explain every number and chart in one plain sentence.")


def teaching() -> bool:
    return bool(st.session_state.get(KEY, False))


def explain(text: str) -> None:
    """A caption that only teaching mode shows."""
    if teaching() and text:
        st.caption(f":material/school: {text}")
