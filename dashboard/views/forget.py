"""Forget page: build a forget request on the chosen dataset — tick people in a gallery, pick an
attribute, a class or part of one, or list samples — see the split sizes and warnings, and launch.

The request being built lives in ``st.session_state`` only (the widgets' keys); nothing trains here:
Launch hands the full scenario — with the dataset and model chosen on the Data & model page — to
``core.runs.launch`` and opens the Run page on it.
"""

from pathlib import Path

import streamlit as st

from core.config import DEFAULT_SCENARIO, ConfigError, default_scenario
from core.data import DataError
from core.data.forget import FORGET_KINDS
from core.data.preview import grid_image
from core.data.split_rows import train_identities
from core.data.splits import make_splits
from core.methods import METHODS
from core.params import ParamError, describe_params
from core.runs import RunStore, launch
from dashboard.components.dataset_choice import chosen_dataset, chosen_model, load_table
from dashboard.components.forget_request import (KIND_HELP, build_request, empty_reason, gallery_page, person_rows,
                                                 size_warnings, ticked)
from dashboard.components.param_form import param_inputs
from dashboard.components.safe_text import md
from dashboard.components.teaching import explain

VIEWS = Path(__file__).parent
DATA_PAGE, RUN_PAGE = VIEWS / "data.py", VIEWS / "run.py"
PERSON_KEY = "forget.person."
PER_PAGE = 12
STARTED_KEY = "forget.started"
SIZES_NOTE = ("Forget: the images to remove. Retain: the training images kept. Test: never trained on, scores "
              "usefulness. Unseen: never trained on, the attacker's reference for 'not a member'.")

started = st.session_state.pop(STARTED_KEY, None)
if started:
    st.switch_page(RUN_PAGE, query_params={"run": started})

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
task = st.selectbox("Task (what the model predicts)", columns, index=columns.index(default_task), key="forget.task")
kinds = FORGET_KINDS.names()
kind = st.radio("What to forget", kinds, horizontal=True, key="forget.kind",
                index=kinds.index("identities") if "identities" in kinds and table.identity is not None else 0)
st.caption(KIND_HELP.get(kind, FORGET_KINDS.entries()[kinds.index(kind)].description))

fields: dict = {}
if kind == "identities":
    people = train_identities(table)
    if not people:
        st.warning("This dataset has no identities: choose samples, a class or an attribute instead.")
    else:
        pages = (len(people) - 1) // PER_PAGE + 1
        page = st.number_input(f"Gallery page (of {pages})", 1, pages, 1, key="forget.gallery_page") - 1
        for col, person in zip(st.columns(4) * PER_PAGE, gallery_page(people, page, PER_PAGE)):
            with col:
                st.image(grid_image(table, index=person_rows(table, person), columns=[]), width=200)
                st.checkbox(f"Person {md(table.identity_label(person))}", key=f"{PERSON_KEY}{person}")
        fields["identities"] = [p for p in ticked(st.session_state, PERSON_KEY) if p in set(people)]
        st.caption(f"{len(fields['identities'])} ticked: "
                   f"{md(', '.join(map(table.identity_label, fields['identities']))) or 'none'}. "
                   f"Only the {len(people)} people in the training split are offered.")
elif kind == "samples":
    fields["samples_text"] = st.text_area("Sample ids or row numbers (comma or line separated)", key="forget.samples")
else:
    default_col = "Eyeglasses" if kind == "attribute" and "Eyeglasses" in columns else columns[0]
    fields["column"] = st.selectbox("Column", columns, index=columns.index(default_col), key=f"forget.{kind}.column")
    classes = table.classes[fields["column"]]
    codes = list(range(len(classes)))
    if kind == "class":
        fields["values"] = st.multiselect("Classes", codes, default=codes[:1], format_func=lambda v: classes[v],
                                          key=f"forget.class.values.{fields['column']}")
    else:
        fields["value"] = st.selectbox("Value", codes, index=min(1, len(codes) - 1), format_func=lambda v: classes[v],
                                       key=f"forget.{kind}.value.{fields['column']}")
    if kind == "class_subset":
        fields["fraction"] = st.slider("Part of the class to forget", 0.05, 0.95, 0.3, 0.05, key="forget.fraction")

request = build_request(kind, **fields)
st.subheader("Splits")
reason = empty_reason(request)
ready = False
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
        ready = True

st.subheader("Method")
entries = {e.name: e for e in METHODS.entries()}
names = list(entries)
default_method = DEFAULT_SCENARIO["method"]["name"]
method = st.selectbox("Unlearning method", names, index=names.index(default_method) if default_method in names else 0,
                      key="forget.method")
st.caption(entries[method].description)
params = param_inputs(entries[method].obj.Params, key=f"forget.params.{method}") if describe_params(entries[method].obj.Params) else {}
train = dict(DEFAULT_SCENARIO["train"])
train["epochs"] = int(st.number_input("Original/gold training epochs", 1, 200, int(train["epochs"]), key="forget.train_epochs"))
if st.button("Launch", type="primary", key="forget.launch", disabled=not ready, icon=":material/rocket_launch:"):
    try:
        scenario = default_scenario(name=f"Forget {kind} on {choice['name']}", dataset=choice, task=task, model=model,
                                    forget=request, method={"name": method, "params": params}, train=train)
        st.session_state[STARTED_KEY] = launch(RunStore(), scenario.to_dict(), name=f"{method} · {scenario.name}")
        st.rerun()
    except (ConfigError, DataError, ValueError) as exc:
        st.error(f"Could not launch: {md(exc)}")
