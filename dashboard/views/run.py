"""Run page: launch the default scenario on the left, watch the selected run on the right.

The selected run lives in the URL (``?run=ID``), so a refresh or a shared link shows the same run.
"""

import streamlit as st

from dashboard.components.launch_form import launch_form
from dashboard.components.run_panel import run_panel

st.title("Unlearning Studio")
st.caption("Make a trained model forget some people, then check that it really did — and what it cost.")
form_col, view_col = st.columns([1, 2], gap="large")
with form_col:
    new_run = launch_form()
    if new_run:
        st.query_params["run"] = new_run
with view_col:
    run_id = st.query_params.get("run")
    if run_id:
        run_panel(run_id)
    else:
        st.info("No run selected yet. Launch the default scenario on the left, or open an earlier run from the Runs page.")
