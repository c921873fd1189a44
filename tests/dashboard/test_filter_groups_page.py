"""Filter groups page: the empty state, and a real tiny pattern-unlearning run's groups."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def groups_page(run_id: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    if run_id:
        at.query_params["run"] = run_id
    at.switch_page("views/filter_groups.py")
    return at.run()


def test_empty_state_says_how_to_get_groups(unlearn_home):
    at = groups_page()
    assert not at.exception
    assert any("pattern_unlearning" in i.value for i in at.info)


@pytest.fixture
def pattern_run(unlearn_home, tiny_scenario):
    from core.runs import RunStore
    from core.runs.worker import execute

    sc = copy.deepcopy(tiny_scenario)
    sc.update(task="Bald", forget={"kind": "pattern", "column": "Smiling", "value": 1},
              method={"name": "pattern_unlearning",
                      "params": {"region": "Smiling", "epochs": 1, "identifier_epochs": 1, "examples": 2}})
    store = RunStore(unlearn_home / "runs.db")
    run_id = store.create(sc, "pattern")
    assert execute(store, run_id) == "succeeded", store.get(run_id).error
    return store, run_id


def test_groups_of_a_real_run_are_drawn(pattern_run):
    store, run_id = pattern_run
    at = groups_page(run_id)
    assert not at.exception
    assert any(h.value.startswith("Number of groups: K = ") for h in at.subheader)
    assert len(at.get("plotly_chart")) == 3
    assert at.selectbox(key="groups.choice").options
