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
from core.data.preview import grid_image
from core.data.split_rows import train_identities
from core.data.splits import make_splits
from core.params import ParamError
from dashboard.components.dataset_choice import chosen_checkpoint, chosen_dataset, chosen_model, load_table
from dashboard.components.forget_request import (KIND_HELP, build_request, empty_reason, gallery_page, person_rows,
                                                 size_warnings, update_ticked)
from dashboard.components.kept_state import keep, kept, remember, set_kept
from dashboard.components.launch_block import launch_block
from dashboard.components.safe_text import md
from dashboard.components.teaching import explain

VIEWS = Path(__file__).parent
DATA_PAGE = VIEWS / "data.py"
PERSON_KEY = "forget.person."
PEOPLE_KEY = "forget.people"  # the ticked people, kept across kinds, gallery pages and page visits
PER_PAGE = 12
SIZES_NOTE = ("Forget: the images to remove. Retain: the training images kept. Test: never trained on, scores "
              "usefulness. Unseen: never trained on, the attacker's reference for 'not a member'.")


def _remembered(widget, label: str, key: str, default, options=None, **kwargs):
    """Draw ``widget`` with its value kept across kinds and pages (see kept_state)."""
    remember(key, default, options)
    value = widget(label, options, key=key, **kwargs) if options is not None else widget(label, key=key, **kwargs)
    keep(key)
    return value


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
task = _remembered(st.selectbox, "Task (what the model predicts)", "forget.task", default_task, columns)
kinds = FORGET_KINDS.names()
asked = st.query_params.get("kind")
if asked in kinds:  # a link from another page (Filter groups: ?kind=pattern) chooses the kind once
    set_kept("forget.kind", asked)
    st.session_state.pop("forget.kind", None)
    del st.query_params["kind"]
default_kind = "identities" if "identities" in kinds and table.identity is not None else kinds[0]
kind = _remembered(st.radio, "What to forget", "forget.kind", default_kind, kinds, horizontal=True,
                   format_func=kind_label)
st.caption(KIND_HELP.get(kind, FORGET_KINDS.entries()[kinds.index(kind)].description))

fields: dict = {}
if kind == "identities":
    people = train_identities(table)
    if not people:
        st.warning("This dataset has no people to choose: forget images, a class or an attribute instead.")
    else:
        pages = (len(people) - 1) // PER_PAGE + 1
        page = _remembered(st.number_input, f"Gallery page (of {pages})", "forget.gallery_page", 1,
                           min_value=1, max_value=pages) - 1
        chosen = set(kept(PEOPLE_KEY, []))
        shown = gallery_page(people, page, PER_PAGE)
        for col, person in zip(st.columns(4) * PER_PAGE, shown):
            with col:
                st.image(grid_image(table, index=person_rows(table, person), columns=[]), width="stretch")
                remember(f"{PERSON_KEY}{person}", person in chosen)
                st.checkbox(f"Person {md(table.identity_label(person))}", key=f"{PERSON_KEY}{person}")
        chosen = update_ticked(chosen, {p: st.session_state[f"{PERSON_KEY}{p}"] for p in shown})
        set_kept(PEOPLE_KEY, sorted(chosen))
        fields["identities"] = [p for p in sorted(chosen) if p in set(people)]
        st.caption(f"{len(fields['identities'])} ticked: "
                   f"{md(', '.join(map(table.identity_label, fields['identities']))) or 'none'}. "
                   f"Only the {len(people)} people in the training split are offered.")
elif kind == "samples":
    fields["samples_text"] = _remembered(st.text_area, "Sample ids or row numbers (comma or line separated)",
                                         "forget.samples", "")
else:
    default_col = "Eyeglasses" if kind in ("attribute", "pattern") and "Eyeglasses" in columns else columns[0]
    fields["column"] = _remembered(st.selectbox, "Column", f"forget.{kind}.column", default_col, columns)
    classes = table.classes[fields["column"]]
    codes = list(range(len(classes)))
    if kind == "class":
        fields["values"] = _remembered(st.multiselect, "Classes", f"forget.class.values.{fields['column']}", codes[:1],
                                       codes, format_func=lambda v: classes[v])
    else:
        fields["value"] = _remembered(st.selectbox, "Value", f"forget.{kind}.value.{fields['column']}",
                                      min(1, len(codes) - 1), codes, format_func=lambda v: classes[v])
    if kind == "class_subset":
        fields["fraction"] = _remembered(st.slider, "Part of the class to forget", "forget.fraction", 0.3,
                                         min_value=0.05, max_value=0.95, step=0.05)

request = build_request(kind, **fields)
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
