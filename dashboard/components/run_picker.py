"""Choose one succeeded run for a page that reads final results (Audit): from ``?run=ID`` or a picker.

The choice is written back to the URL so a refresh or a shared link shows the same run.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from core.runs import Run, RunStore, UnknownRun
from dashboard.components.safe_text import md


def run_label(run: Run) -> str:
    when = dt.datetime.fromtimestamp(run.created).strftime("%Y-%m-%d %H:%M")
    return f"{run.name} · {when} · {run.id}"


def pick_succeeded_run(store: RunStore, key: str) -> Run | None:
    """The run named in the URL if it succeeded, else the picker's choice (newest first); None when there
    is no succeeded run. A URL run that is unknown or not succeeded is explained, then the picker shows."""
    wanted = st.query_params.get("run")
    if wanted:
        try:
            run = store.get(wanted)
            if run.status != "succeeded":
                st.warning(f"Run {md(wanted)} is {run.status}: only a succeeded run has results to audit. "
                           "Pick a finished run below.")
        except UnknownRun:
            st.warning(f"There is no run {md(repr(wanted))}. Pick a finished run below.")
    runs = store.list(status="succeeded")
    if not runs:
        return None
    ids = [r.id for r in runs]
    by_id = {r.id: r for r in runs}
    index = ids.index(wanted) if wanted in by_id else 0
    chosen = st.selectbox("Finished run", ids, index=index, key=key, format_func=lambda i: run_label(by_id[i]))
    if st.query_params.get("run") != chosen:
        st.query_params["run"] = chosen
    return by_id[chosen]
