"""The Forget page: gallery ticks, attribute/class requests, split sizes, errors and launch."""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from core.config import DEFAULT_SCENARIO
from core.data import load_dataset
from core.data.split_rows import train_identities
from core.data.splits import make_splits
from core.data.forget import ForgetRequest
from core.runs import cancel
from dashboard.components.dataset_choice import MODEL_KEY
from dashboard.components.forget_request import build_request, empty_reason, size_warnings
from tests.dashboard.test_pages import APP, TIMEOUT, texts

SMALL = {"name": "synthfaces", "options": {"n_identities": 10, "images_per_identity": 4, "size": 32}}


def forget_page(model: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["data.choice"] = SMALL
    if model:
        at.session_state[MODEL_KEY] = model
    at.switch_page("views/forget.py")
    return at.run()


def metrics(at: AppTest) -> dict[str, int]:
    return {m.label: int(m.value) for m in at.metric}


def test_train_identities_match_make_splits_and_requests_build():
    table = load_dataset("synthfaces", SMALL["options"])
    people = train_identities(table)
    splits = make_splits(table, "age_group", ForgetRequest(kind="identities", identities=people[:1]))
    assert people == sorted(table.identity[splits.train].unique().tolist())
    assert build_request("class", column="Male", values=[1]) == {"kind": "class", "column": "Male", "values": [1]}
    assert build_request("samples", samples_text="3, 7\n9") == {"kind": "samples", "samples": ["3", "7", "9"]}
    assert empty_reason(build_request("identities", identities=[])) and not empty_reason(build_request("identities", identities=[2]))
    assert size_warnings({"train": 10, "forget": 2, "retain": 8, "test": 5, "unseen": 1})


def test_ticking_people_shows_split_sizes(store):
    at = forget_page()
    assert not at.exception, at.exception
    assert "Tick at least one person" in texts(at, "info") and at.button(key="forget.launch").disabled
    people = train_identities(load_dataset("synthfaces", SMALL["options"]))
    at.checkbox(key=f"forget.person.{people[0]}").check().run()
    at.checkbox(key=f"forget.person.{people[1]}").check().run()
    sizes = metrics(at)
    assert sizes["Forget"] == 8 and sizes["Forget"] + sizes["Retain"] == 4 * len(people)
    assert not at.button(key="forget.launch").disabled


def test_attribute_request_and_an_all_of_train_error(store):
    at = forget_page()
    at.radio(key="forget.kind").set_value("attribute").run()
    assert at.selectbox(key="forget.attribute.column").value == "Eyeglasses"
    assert metrics(at)["Forget"] > 0
    at.radio(key="forget.kind").set_value("class").run()
    at.selectbox(key="forget.class.column").select("Male").run()
    at.multiselect(key="forget.class.values.Male").select(1).run()  # both classes: every training image
    assert "selects all of train" in texts(at, "error")
    assert at.button(key="forget.launch").disabled


@pytest.mark.parametrize("chosen, model", [(None, "smallcnn"), ("resnet18", "resnet18")])
def test_launch_passes_the_full_scenario(store, chosen, model):
    """The launched scenario carries the page's request and the model chosen on the Data & model page."""
    at = forget_page(chosen)
    assert f"model: **{model}**" in texts(at, "caption")
    people = train_identities(load_dataset("synthfaces", SMALL["options"]))
    at.checkbox(key=f"forget.person.{people[0]}").check().run()
    at.number_input(key="forget.train_epochs").set_value(1).run()
    at.button(key="forget.launch").click().run()
    runs = store.list()
    try:
        assert not at.exception and len(runs) == 1 and at.query_params["run"] == runs[0].id
        config = runs[0].config
        assert config["dataset"] == SMALL and config["task"] == "age_group"
        assert config["forget"]["kind"] == "identities" and config["forget"]["identities"] == [people[0]]
        assert config["train"]["epochs"] == 1 and config["method"]["name"] == DEFAULT_SCENARIO["method"]["name"]
        assert config["model"] == model
    finally:
        for run in runs:
            cancel(store, run.id)
        deadline = time.time() + 60
        while any(store.get(r.id).active for r in runs) and time.time() < deadline:
            time.sleep(0.3)


def test_ticked_people_survive_a_kind_switch_and_pickers_offer_only_applicable_methods(store):
    from core.methods import METHODS

    at = forget_page()
    people = train_identities(load_dataset("synthfaces", SMALL["options"]))
    at.checkbox(key=f"forget.person.{people[0]}").check().run()
    offered = at.selectbox(key="forget.method").options
    assert "finetune" in offered and "detachment" not in offered and "tmu" not in offered
    assert any("detachment" in m.value and "attribute" in m.value for m in at.markdown)  # listed as not for this kind
    at.radio(key="forget.kind").set_value("attribute").run()
    offered = at.selectbox(key="forget.method").options
    assert "detachment" in offered and all(METHODS.get(m).kinds is None or "attribute" in METHODS.get(m).kinds
                                           for m in offered)
    at.radio(key="forget.kind").set_value("identities").run()
    assert at.checkbox(key=f"forget.person.{people[0]}").value, "the ticked person was forgotten by a kind switch"
    assert metrics(at)["Forget"] == 4


def test_kind_from_the_url_and_human_kind_labels(store):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["data.choice"] = SMALL
    at.query_params["kind"] = "pattern"
    at.switch_page("views/forget.py")
    at.run()
    assert not at.exception and at.radio(key="forget.kind").value == "pattern"
    offered = at.selectbox(key="forget.method").options
    assert "pattern_unlearning" in offered and "detachment" not in offered
    assert "Part of a class" in at.radio(key="forget.kind").options


def test_teaching_mode_explains_each_method_setting(store):
    at = forget_page()
    assert not any(c.value.startswith(":material/school: **Learning rate:**") for c in at.caption)
    at.toggle(key="teaching").set_value(True).run()
    assert any(c.value.startswith(":material/school: **Learning rate:**") for c in at.caption)
