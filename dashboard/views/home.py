"""Home page: what unlearning is, the default scenario one click away, and the latest runs."""

import datetime as dt
from pathlib import Path

import streamlit as st

from core.config import DEFAULT_SCENARIO, default_scenario
from core.runs import RunStore
from dashboard.components.launch_block import buildable, launch_button
from dashboard.components.launch_redirect import run_link_params
from dashboard.figures.palette import STATUS_COLORS
from dashboard.components.safe_text import md
from dashboard.components.scenario_text import scenario_summary
from dashboard.components.story import INTRO, scenario_steps
from dashboard.components.tables import format_duration
from dashboard.components.teaching import teaching

VIEWS = Path(__file__).parent
RUN_PAGE, RUNS_PAGE = VIEWS / "run.py", VIEWS / "runs.py"
RECENT = 5

st.title("Unlearning Studio")
st.markdown(INTRO)

st.subheader("Try it: the default scenario")
st.markdown("\n".join(f"- **{label}:** {text}" for label, text in scenario_summary(DEFAULT_SCENARIO)))
if teaching():
    st.markdown("**What will happen, step by step**")
    st.markdown("\n".join(f"{i}. {step}" for i, step in enumerate(scenario_steps(DEFAULT_SCENARIO), start=1)))
launch_button(buildable(default_scenario), "home", label="Run the default scenario",
              help="Starts in the background; the Run page then shows it live. Trained models are cached.")
st.page_link(RUN_PAGE, label="Or change the method and its settings on the Run page", icon=":material/tune:")

st.subheader("Recent runs")
runs = RunStore().list(limit=RECENT)
if not runs:
    st.info("No runs yet. Start the default scenario above; it will be listed here.")
for run in runs:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.badge(run.status, color=STATUS_COLORS.get(run.status, "gray"))
        st.page_link(RUN_PAGE, label=md(run.name), query_params=run_link_params(run.id))
        when = dt.datetime.fromtimestamp(run.created).strftime("%Y-%m-%d %H:%M")
        st.caption(" · ".join(x for x in (when, format_duration(run.duration)) if x))
if runs:
    st.page_link(RUNS_PAGE, label="All runs", icon=":material/history:")
