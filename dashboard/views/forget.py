"""Forget page: build a forget request on the chosen dataset — tick people in a gallery, pick an
attribute, a class or part of one, a pattern, or list samples — see the split sizes, warnings and
the time it will take, and launch with a method that works for that kind of request.

The request lives in ``st.session_state``: widget keys, plus kept copies (``kept_state``) so the ticked
people and the choices survive a kind switch or a visit to another page. ``?kind=pattern`` opens the
page on that kind (the Filter groups page links here). The method, its settings and Launch are
the one launch block (``dashboard.components.launch_block``) every page uses.
"""

from pathlib import Path

import streamlit as st

from core.config import DEFAULT_SCENARIO, ConfigError, default_scenario
from core.data import DataError
from core.data.forget import FORGET_KINDS, kind_label
from core.data.splits import make_splits
from core.params import ParamError
from dashboard.components.dataset_choice import chosen_checkpoint, chosen_dataset, chosen_model, load_table
from dashboard.components.forget_request import build_request, empty_reason, size_warnings
from dashboard.components.forget_widgets import draw_inputs, remembered
from dashboard.components.kept_state import set_kept
from dashboard.components.launch_block import launch_block
from dashboard.components.safe_text import md
from dashboard.components.teaching import explain

VIEWS = Path(__file__).parent
DATA_PAGE = VIEWS / "data.py"
SIZES_NOTE = ("Forget: the images to remove. Retain: the training images kept. Test: never trained on, scores "
              "usefulness. Unseen: never trained on, the attacker's reference for 'not a member'.")

st.title("Forget")
choice = chosen_dataset()
model = chosen_model()
try:
    table = load_table(choice["name"], choice["options"])
except (DataError, ParamError, ValueError, OSError) as exc:
    st.error(f"Could not load {md(choice['name'])}: {md(exc)}")
    st.page_link(DATA_PAGE, label="Choose another dataset", icon=":material/database:")
    st.stop()
st.caption(f"Dataset: **{choice['name']}** ({len(table)} images), model: **{model}**. "
           "Change them on the Data & model page.")
st.page_link(DATA_PAGE, label="Data & model", icon=":material/database:")

columns = list(table.columns)
default_task = DEFAULT_SCENARIO["task"] if DEFAULT_SCENARIO["task"] in columns else columns[0]
task = remembered(st.selectbox, "Task (what the model predicts)", "forget.task", default_task, columns)
kinds = FORGET_KINDS.names()
asked = st.query_params.get("kind")
if asked in kinds:  # a link from another page (Filter groups: ?kind=pattern) chooses the kind once
    set_kept("forget.kind", asked)
    st.session_state.pop("forget.kind", None)
    del st.query_params["kind"]
default_kind = "identities" if "identities" in kinds and table.identity is not None else kinds[0]
kind = remembered(st.radio, "What to forget", "forget.kind", default_kind, kinds, horizontal=True,
                  format_func=kind_label)
st.caption(FORGET_KINDS.get(kind).help)

request = build_request(kind, **draw_inputs(kind, table))
st.subheader("Splits")
reason = empty_reason(request)
splits = None
if reason:
    st.info(reason)
else:
    try:
        scenario = default_scenario(dataset=choice, task=task, model=model, forget=request)
        splits = make_splits(table, scenario.task, scenario.forget, scenario.seed,
                             scenario.split.test_fraction, scenario.split.unseen_fraction)
    except (DataError, ConfigError, ValueError) as exc:
        st.error(md(exc))
    else:
        sizes = splits.sizes()
        for col, name in zip(st.columns(4), ("forget", "retain", "test", "unseen")):
            col.metric(name.capitalize(), sizes[name])
        explain(SIZES_NOTE)
        for warning in size_warnings(sizes):
            st.warning(warning)

st.subheader("Method")
launch_block("forget", kind, lambda method, train: default_scenario(
    name="", dataset=choice, task=task, model=model, forget=request, method=method, train=train,
    original={"checkpoint": chosen_checkpoint()}), splits=splits, ready=splits is not None)
