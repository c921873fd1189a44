"""How long a launch should take here, shown above every Launch button (``core.runs.estimate``), with
the fast attacker offered where the final one is the slow part."""

from __future__ import annotations

import dataclasses

import streamlit as st

from core.config import Scenario
from core.data.splits import Splits
from core.runs.estimate import estimate_run
from dashboard.components.tables import format_duration

FAST_ATTACKER_LABEL = "Use the fast attacker (linear probe) for the final table"


def estimate_text(est) -> str:
    """The estimate in one line: total, then each part with where its number comes from."""
    refs = ("original and gold models cached" if est.original_cached and est.gold_cached else
            f"training the {' and '.join(s for s, c in (('original', est.original_cached), ('gold', est.gold_cached)) if not c)}"
            f" model{'s' if not (est.original_cached or est.gold_cached) else ''} ≈ {format_duration(est.references.seconds)}"
            f" ({est.references.source})")
    return (f"**Estimated time: about {format_duration(est.seconds) or '0 s'}** — {refs}; method ≈ "
            f"{format_duration(est.method.seconds)} ({est.method.source}); final evaluation ≈ "
            f"{format_duration(est.evaluation.seconds)} ({est.evaluation.source}).")


def estimate_panel(scenario: Scenario, splits: Splits, key: str) -> Scenario:
    """Show how long ``scenario`` should take here, warn when long, and offer the fast attacker where the
    final one is the slow part; returns the scenario to launch (with the attacker the user chose)."""
    box = st.container(key=f"{key}-estimate")
    est = estimate_run(scenario, splits)
    if est.suggest_linear and st.checkbox(FAST_ATTACKER_LABEL, key=f"{key}.fast_attacker", help=est.notes[0]):
        scenario = dataclasses.replace(scenario, evaluation=dataclasses.replace(scenario.evaluation, attacker="linear"))
        est = estimate_run(scenario, splits)
    with box:
        st.markdown(estimate_text(est))
        if est.long:
            st.warning(f"This run is long (about {format_duration(est.seconds)}). It runs in the background: you can "
                       "leave the page and come back. Fewer epochs or cached reference models shorten it.",
                       icon=":material/schedule:")
    return scenario
