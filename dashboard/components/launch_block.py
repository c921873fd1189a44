"""The one launch flow of every page (Home, Run, Forget, Filter groups): method picker, settings form,
estimate, Launch button, one error handling and the redirect to the new run.

A page says what it launches as a function building a :class:`core.config.Scenario`; the block draws
the widgets, builds the scenario (a setting that cannot run is named in one red line, the widgets keep
their values), hands the dataclass to :func:`core.runs.launch` and lands on the run
(:func:`dashboard.components.launch_redirect.go_to_run`). Every Launch button's key is
``<page key>.launch`` (:func:`launch_key`).
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import streamlit as st

from core.config import DEFAULT_SCENARIO, ConfigError, Scenario
from core.data import DataError
from core.data.splits import Splits
from core.methods import METHODS
from core.params import ParamError, describe_params
from core.runs import RunStore, StoreError, launch
from dashboard.components.kept_state import keep, remember
from dashboard.components.launch_estimate import estimate_panel
from dashboard.components.launch_redirect import go_to_run
from dashboard.components.method_choice import method_picker
from dashboard.components.param_form import param_inputs
from dashboard.components.safe_text import md

MAX_TRAIN_EPOCHS = 200
PROBLEMS = (ConfigError, DataError, ParamError, StoreError, ValueError, OSError)  # what a launch can refuse with
METHOD_HELP = ("How the trained model is made to forget; every method is compared with the original model and the "
               "gold model retrained without the forgotten images.")
EPOCHS_HELP = ("Epochs for the original model (all training images) and the gold model (retain images only). Fewer "
               "epochs run faster on a laptop CPU; trained models are cached and reused.")

Build = Callable[[dict, dict], Scenario]  # (method section, train section) -> the scenario to launch


def launch_key(key: str) -> str:
    """The Launch button's widget key on the page whose widgets start with ``key``."""
    return f"{key}.launch"


def method_settings(kind: str, key: str, default: str | None = None) -> tuple[dict, dict]:
    """Method picker (only methods for ``kind``), its settings form and the reference models' epochs;
    returns the scenario's ``method`` and ``train`` sections. Values are kept across pages."""
    default = default or DEFAULT_SCENARIO["method"]["name"]
    method = method_picker(kind, key=f"{key}.method", default=default, help=METHOD_HELP)
    params_cls = METHODS.get(method).Params
    if describe_params(params_cls):
        st.markdown("**Method settings**")
        params = param_inputs(params_cls, key=f"{key}.params.{method}")
    else:
        st.caption("This method has no settings.")
        params = {}
    train = dict(DEFAULT_SCENARIO["train"])
    epochs_key = f"{key}.train_epochs"
    remember(epochs_key, int(train["epochs"]))
    train["epochs"] = int(st.number_input("Original/gold training epochs", min_value=1, max_value=MAX_TRAIN_EPOCHS,
                                          step=1, key=epochs_key, help=EPOCHS_HELP))
    keep(epochs_key)
    return {"name": method, "params": params}, train


def buildable(build: Callable[[], Scenario]) -> Scenario | None:
    """``build()``'s scenario, or None after a red line naming what cannot run."""
    try:
        return build()
    except PROBLEMS as exc:
        st.error(f"These settings cannot run: {md(exc)}")
        return None


def launch_button(scenario: Scenario | None, key: str, label: str = "Launch", name: str = "",
                  help: str | None = None) -> None:
    """The Launch button (disabled without a scenario); pressed, it launches ``scenario`` named ``name``
    (default: its title without the scenario's own name) and opens the run, or says why it could not."""
    if not st.button(label, type="primary", key=launch_key(key), disabled=scenario is None,
                     icon=":material/rocket_launch:", help=help):
        return
    try:
        run_id = launch(RunStore(), scenario, name=name or dataclasses.replace(scenario, name="").title())
    except PROBLEMS as exc:
        st.error(f"Could not launch: {md(exc)}")
        return
    go_to_run(run_id)


def launch_block(key: str, kind: str, build: Build, splits: Splits | None = None, ready: bool = True,
                 default_method: str | None = None) -> None:
    """Method settings, the scenario ``build`` makes of them (only when ``ready``), its estimate on
    ``splits`` when given, and the Launch button."""
    method, train = method_settings(kind, key, default_method)
    scenario = buildable(lambda: build(method, train)) if ready else None
    if scenario is not None and splits is not None:
        scenario = estimate_panel(scenario, splits, key=key)
    launch_button(scenario, key)
