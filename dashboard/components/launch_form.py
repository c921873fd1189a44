"""The Run page's launch form: the default scenario with a method and its settings, through the one
launch flow (:mod:`dashboard.components.launch_block`).

Launching only inserts a run and starts the detached worker (``core.runs.launch``); training never
happens in the page, so a click, a refresh or closing the tab leaves the run going; the block then
lands on the run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.config import DEFAULT_SCENARIO, Scenario, default_scenario
from core.data import DataError
from core.data.forget import kind_label
from core.data.splits import Splits, make_splits
from core.params import ParamError
from core.runs import RunStore, UnknownRun
from dashboard.components.dataset_choice import load_table
from dashboard.components.launch_block import launch_block
from dashboard.components.safe_text import md
from dashboard.components.scenario_text import scenario_summary

KEY = "launch"  # the form's widget keys: launch.method, launch.params.<method>, launch.train_epochs, launch.launch
FORGET_PAGE = Path(__file__).resolve().parents[1] / "views" / "forget.py"


def _scenario_lines() -> str:
    shown = ("Dataset", "Task", "Model", "Forget")
    return "\n".join(f"- **{label}:** {text}" for label, text in scenario_summary(DEFAULT_SCENARIO) if label in shown)


def default_splits(scenario: Scenario) -> Splits | None:
    """The splits of a scenario's dataset (cached table), or None when the data cannot be loaded."""
    try:
        table = load_table(scenario.dataset.name, scenario.dataset.options)
        return make_splits(table, scenario.task, scenario.forget, scenario.seed, scenario.split.test_fraction,
                           scenario.split.unseen_fraction)
    except (DataError, ParamError, ValueError, OSError):
        return None


def unrelated_to_default(config: dict | None) -> bool:
    """Whether a run's scenario is not a variant of the default one (another dataset or kind of request):
    the default form beside it would suggest the two belong together."""
    config = config or {}
    return ((config.get("dataset") or {}).get("name") != DEFAULT_SCENARIO["dataset"]["name"]
            or (config.get("forget") or {}).get("kind", "identities") != DEFAULT_SCENARIO["forget"]["kind"])


def launch_form(beside: str | None = None) -> None:
    """Draw the form; Launch starts the run and opens it.

    Beside a run of another kind of request or dataset (``beside``: its id) the form folds into an
    expander under a line saying where such runs come from, so it is not read as that run's settings."""
    run = None
    if beside:
        try:
            run = RunStore().get(beside)
        except UnknownRun:
            run = None
    if run is not None and unrelated_to_default(run.config):
        forget = (run.config.get("forget") or {}).get("kind", "identities")
        st.info(f"This run forgets **{kind_label(forget).lower()}** on **{md((run.config.get('dataset') or {}).get('name', '?'))}**"
                ": launch another like it from the Forget page.")
        st.page_link(FORGET_PAGE, label="Forget page", icon=":material/person_remove:")
        with st.expander("Or launch the default scenario (three people, synthetic faces)"):
            _default_form()
            return
    _default_form()


def _default_form() -> None:
    st.subheader("Launch the default scenario")
    st.markdown(_scenario_lines())
    scenario = default_scenario()
    launch_block(KEY, DEFAULT_SCENARIO["forget"]["kind"], lambda method, train: default_scenario(method=method, train=train),
                 splits=default_splits(scenario))
