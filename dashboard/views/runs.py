"""Runs page: every run in the store, newest first; choosing a row opens it on the Run page.
Below the table a run can be cancelled (while active) or deleted (after a confirmation; never while active)."""

from pathlib import Path

import streamlit as st

from core.runs import RunStore, cancel
from dashboard.components.glossary import METRIC_NOTES
from dashboard.components.launch_redirect import go_to_run
from dashboard.components.safe_text import md
from dashboard.components.tables import runs_table
from dashboard.components.teaching import explain

RUN_PAGE = Path(__file__).with_name("run.py")
TABLE_KEY = "runs.table"
OPEN_KEY = "runs.open"
CONFIRM_KEY = "runs.confirm_delete"
MANAGE_KEY = "runs.manage"

opening = st.session_state.pop(OPEN_KEY, None)
if opening:
    go_to_run(opening)

st.title("Runs")
store = RunStore()
runs = store.list()
if not runs:
    st.info("No runs yet. Launch the default scenario on the Run page and it will be listed here.")
    st.page_link(RUN_PAGE, label="Go to the Run page", icon=":material/play_circle:")
    st.stop()

table = runs_table(runs)
table.insert(3, "sweep", [r.sweep or "" for r in runs])  # a sweep's trials group by it (see the Sweeps page)


def _open_selected() -> None:
    """Selection callback: remember the chosen run; the next script run switches page."""
    rows = st.session_state[TABLE_KEY].selection.rows
    if rows:
        st.session_state[OPEN_KEY] = table.iloc[rows[0]]["id"]


st.caption("Choose a row to open the run: its live chart, results or error.")
st.dataframe(table, hide_index=True, on_select=_open_selected, selection_mode="single-row", key=TABLE_KEY,
             column_config={"nomus": st.column_config.NumberColumn("NoMUS", format="%.3f",
                                                                    help="NoMUS of the unlearned model (1 is best)")})
explain("Status: queued (waiting for its worker), running, succeeded, failed, cancelled, or lost (the worker stopped "
        f"without finishing). NoMUS: {METRIC_NOTES['nomus']}")

st.markdown("#### Manage a run")
by_id = {r.id: r for r in runs}
if st.session_state.get(MANAGE_KEY) not in by_id:  # a run deleted here or elsewhere leaves the select
    st.session_state.pop(MANAGE_KEY, None)
chosen = st.selectbox("Run", list(by_id), key=MANAGE_KEY, format_func=lambda i: f"{by_id[i].name} · {i} ({by_id[i].status})")
run = by_id[chosen]
cols = st.columns([1, 1, 3], vertical_alignment="center")
if cols[0].button("Cancel run", key="runs.cancel", icon=":material/stop_circle:", disabled=not run.active or run.cancel,
                  help="Stop the run after its current step"):
    cancel(store, run.id)
    st.toast("Cancel requested: the run stops after its current step.")
if cols[1].button("Delete…", key="runs.delete", icon=":material/delete:", disabled=run.active,
                  help="Remove the run, its events and its files"):
    st.session_state[CONFIRM_KEY] = run.id
if run.active:
    cols[2].caption("This run is still active: cancel it first, then it can be deleted.")

confirming = st.session_state.get(CONFIRM_KEY)
if confirming == run.id and not run.active:
    st.warning(f"Delete run **{md(run.name)}** ({run.id}) with its events and files in `{store.runs_root / run.id}`? "
               "This cannot be undone.")
    yes, no = st.columns([1, 4])
    if yes.button("Yes, delete", key="runs.delete.yes", type="primary"):
        st.session_state.pop(CONFIRM_KEY, None)
        try:
            store.delete(run.id)
        except ValueError as exc:  # it became active again (cannot, but the store is the judge)
            st.error(md(exc))
        else:
            st.session_state.pop(MANAGE_KEY, None)
            st.toast(f"Deleted run {run.id}.")
            st.rerun()
    if no.button("Keep it", key="runs.delete.no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()
