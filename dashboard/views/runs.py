"""Runs page: every run in the store, newest first; choosing a row opens it on the Run page."""

from pathlib import Path

import streamlit as st

from core.runs import RunStore
from dashboard.components.tables import runs_table

RUN_PAGE = Path(__file__).with_name("run.py")
TABLE_KEY = "runs.table"
OPEN_KEY = "runs.open"

opening = st.session_state.pop(OPEN_KEY, None)
if opening:
    st.switch_page(RUN_PAGE, query_params={"run": opening})

st.title("Runs")
runs = RunStore().list()
if not runs:
    st.info("No runs yet. Launch the default scenario on the Run page and it will be listed here.")
    st.page_link(RUN_PAGE, label="Go to the Run page", icon=":material/play_circle:")
    st.stop()

table = runs_table(runs)


def _open_selected() -> None:
    """Selection callback: remember the chosen run; the next script run switches page."""
    rows = st.session_state[TABLE_KEY].selection.rows
    if rows:
        st.session_state[OPEN_KEY] = table.iloc[rows[0]]["id"]


st.caption("Choose a row to open the run: its live chart, results or error.")
st.dataframe(table, hide_index=True, on_select=_open_selected, selection_mode="single-row", key=TABLE_KEY,
             column_config={"nomus": st.column_config.NumberColumn("NoMUS", format="%.3f",
                                                                    help="NoMUS of the unlearned model (1 is best)")})
