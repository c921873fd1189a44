"""Teaching mode: a sidebar switch that adds a plain "what this means" line under every number and chart.

The switch lives in ``st.session_state`` (key :data:`KEY`) so every page reads the same choice, and
in the URL (``?teach=1``) so a refresh or a shared link keeps it; the lines themselves come from the
glossary, so there is one text per idea.
"""

from __future__ import annotations

import streamlit as st

KEY = "teaching"
URL_KEY = "teach"


def teaching_toggle() -> bool:
    """Draw the sidebar switch (once per script run, from the app's router) and return its state.

    A fresh session (a refresh) starts from the URL; every script run writes the choice back to the
    URL, because moving to another page starts it with a clean query string."""
    if KEY not in st.session_state:
        st.session_state[KEY] = st.query_params.get(URL_KEY) == "1"
    on = st.sidebar.toggle("Teaching mode", key=KEY, help="Explain every number and chart in one plain sentence.")
    if on and st.query_params.get(URL_KEY) != "1":
        st.query_params[URL_KEY] = "1"
    elif not on and URL_KEY in st.query_params:
        del st.query_params[URL_KEY]
    return on


def teaching() -> bool:
    return bool(st.session_state.get(KEY, False))


def url_params() -> dict[str, str]:
    """The query parameter that carries teaching mode to another page ({} when it is off)."""
    return {URL_KEY: "1"} if teaching() else {}


def explain(text: str) -> None:
    """A caption that only teaching mode shows."""
    if teaching() and text:
        st.caption(f":material/school: {text}")
