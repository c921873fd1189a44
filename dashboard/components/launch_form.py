"""Launching from a page: the Run page's default-scenario form, and the estimate every launch form shows.

Launching only inserts a run and starts the detached worker (``core.runs.launch``); training never
happens in the page, so a click, a refresh or closing the tab leaves the run going. Every launch then
lands on its run through :func:`dashboard.components.launch_redirect.go_to_run`.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from core.config import DEFAULT_SCENARIO, ConfigError, Scenario, default_scenario
from core.data import DataError
from core.data.splits import Splits, make_splits
from core.methods import METHODS
from core.params import ParamError, describe_params
from core.data.forget import kind_label
from core.runs import RunStore, UnknownRun, launch
from core.runs.estimate import estimate_run
from dashboard.components.dataset_choice import load_table
from dashboard.components.method_choice import method_picker
from dashboard.components.param_form import param_inputs
from dashboard.components.safe_text import md
from dashboard.components.scenario_text import scenario_summary
from dashboard.components.tables import format_duration

MAX_TRAIN_EPOCHS = 200
FORGET_PAGE = Path(__file__).resolve().parents[1] / "views" / "forget.py"
FAST_ATTACKER_LABEL = "Use the fast attacker (linear probe) for the final table"


def _scenario_lines() -> str:
    shown = ("Dataset", "Task", "Model", "Forget")
    return "\n".join(f"- **{label}:** {text}" for label, text in scenario_summary(DEFAULT_SCENARIO) if label in shown)


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


def launch_form(beside: str | None = None) -> str | None:
    """Draw the form; when Launch is pressed start the run and return its id (None otherwise).

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
            return _default_form()
    return _default_form()


def _default_form() -> str | None:
    st.subheader("Launch the default scenario")
    st.markdown(_scenario_lines())
    kind = DEFAULT_SCENARIO["forget"]["kind"]
    method = method_picker(kind, key="launch.method", default=DEFAULT_SCENARIO["method"]["name"],
                           help="How the trained model is made to forget; every method is compared with the original "
                           "model and the gold model retrained without the forgotten images.")
    params_cls = METHODS.get(method).Params
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
    try:
        scenario = default_scenario(method={"name": method, "params": params}, train=train)
    except (ConfigError, ValueError) as exc:
        st.error(f"These settings cannot run: {md(exc)}")
        return None
    splits = default_splits(scenario)
    if splits is not None:
        scenario = estimate_panel(scenario, splits, key="launch")
    if not st.button("Launch", type="primary", key="launch.go", icon=":material/rocket_launch:"):
        return None
    try:
        return launch(RunStore(), scenario.to_dict(), name=dataclasses.replace(scenario, name="").title())
    except (ConfigError, ValueError) as exc:
        st.error(f"Could not launch: {md(exc)}")
        return None
