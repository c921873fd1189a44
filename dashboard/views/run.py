"""Run page: launch (or tune) the default scenario on the left, watch the selected run on the right.

The selected run lives in the URL (``?run=ID``), so a refresh or a shared link shows the same run.
"""

import streamlit as st

from core.config import DEFAULT_SCENARIO, default_scenario
from dashboard.components.launch_form import KEY as LAUNCH_KEY
from dashboard.components.launch_form import launch_form
from dashboard.components.launch_redirect import go_to_run
from dashboard.components.run_panel import run_panel
from dashboard.components.tune_figures import tune_control

st.title("Unlearning Studio")
st.caption("Make a trained model forget some people, then check that it really did — and what it cost.")
form_col, view_col = st.columns([1, 2], gap="large")
with form_col:
    launch_form(beside=st.query_params.get("run"))  # Launch opens the new run itself
    tuned_run = tune_control(default_scenario().to_dict(),
                             st.session_state.get(f"{LAUNCH_KEY}.method", DEFAULT_SCENARIO["method"]["name"]))
    if tuned_run:
        go_to_run(tuned_run)
with view_col:
    run_id = st.query_params.get("run")
    if run_id:
        run_panel(run_id)
    else:
        st.info("No run selected yet. Launch the default scenario on the left, or open an earlier run from the Runs page.")
