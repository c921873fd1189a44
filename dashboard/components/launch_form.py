"""The Run page's launch form: the built-in default scenario with a chosen method and settings.

It only inserts a run and starts the detached worker (``core.runs.launch``); training never
happens in the page, so a click, a refresh or closing the tab leaves the run going.
"""

from __future__ import annotations

import streamlit as st

from core.config import DEFAULT_SCENARIO, ConfigError, default_scenario
from core.methods import METHODS
from core.params import describe_params
from core.runs import RunStore, launch
from dashboard.components.param_form import param_inputs
from dashboard.components.safe_text import md
from dashboard.components.scenario_text import scenario_summary

MAX_TRAIN_EPOCHS = 200


def _scenario_lines() -> str:
    shown = ("Dataset", "Task", "Model", "Forget")
    return "\n".join(f"- **{label}:** {text}" for label, text in scenario_summary(DEFAULT_SCENARIO) if label in shown)


def launch_form() -> str | None:
    """Draw the form; when Launch is pressed start the run and return its id (None otherwise)."""
    st.subheader("Launch the default scenario")
    st.markdown(_scenario_lines())
    entries = {e.name: e for e in METHODS.entries()}
    default_method = DEFAULT_SCENARIO["method"]["name"]
    names = list(entries)
    method = st.selectbox("Unlearning method", names, index=names.index(default_method) if default_method in names else 0,
                          key="launch.method", help="How the trained model is made to forget; every method is compared "
                          "with the original model and the gold model retrained without the forgotten images.")
    st.caption(entries[method].description)
    params_cls = entries[method].obj.Params
    if describe_params(params_cls):
        st.markdown("**Method settings**")
        params = param_inputs(params_cls, key=f"launch.params.{method}")
    else:
        st.caption("This method has no settings.")
        params = {}
    train = dict(DEFAULT_SCENARIO["train"])
    train["epochs"] = int(st.number_input(
        "Original/gold training epochs", min_value=1, max_value=MAX_TRAIN_EPOCHS, value=int(train["epochs"]), step=1,
        key="launch.train_epochs", help="Epochs for the original model (all training images) and the gold model "
        "(retain images only). Fewer epochs run faster on a laptop CPU; trained models are cached and reused."))
    if not st.button("Launch", type="primary", key="launch.go", icon=":material/rocket_launch:"):
        return None
    try:
        scenario = default_scenario(method={"name": method, "params": params}, train=train)
        return launch(RunStore(), scenario.to_dict(), name=f"{method} · {scenario.name}")
    except (ConfigError, ValueError) as exc:
        st.error(f"Could not launch: {md(exc)}")
        return None
