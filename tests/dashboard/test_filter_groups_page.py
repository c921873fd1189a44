"""Filter groups page: the empty state, a real tiny pattern-unlearning run's groups with their mask
overlaps, and the unlearn button launching with that run's saved identifier."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import plotly.graph_objects as go
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
    assert any("pattern_unlearning" in i.value and "Forget page" in i.value for i in at.info)
    link = at.get("page_link")[0].proto
    assert link.page.endswith("forget") and "kind=pattern" in link.query_string  # the route that works


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
    assert len(at.get("plotly_chart")) == 4  # spectrum, similarity, maps, mask overlap
    assert any(h.value == "Overlap with the ground-truth masks" for h in at.subheader)
    assert at.selectbox(key="groups.choice").options
    chart = [c for c in at.get("plotly_chart") if "Overlap of each group" in c.proto.spec][0]
    heat = go.Figure(json.loads(chart.proto.spec)).data[0]
    doc = json.loads((store.runs_root / run_id / "filter_groups" / "explorer.json").read_text())
    assert list(heat.x) == sorted(doc["area"]) and len(heat.y) == doc["k"] + 1
    assert heat.text[0][0].startswith(f"{doc['overlap']['0'][sorted(doc['area'])[0]]:.0%}")


def test_unlearn_button_reuses_the_shown_runs_identifier(pattern_run, monkeypatch):
    import subprocess

    store, run_id = pattern_run
    launched = []

    class NoWorker:
        """Stands in for the worker process: records the launched run's config, starts nothing.

        Patching ``subprocess.Popen`` rather than ``core.runs.launch`` matters: a module imported
        while ``launch`` was patched (the Run page's form) would keep the fake for the rest of the session."""

        def __init__(self, cmd, **kwargs):
            launched.append(store.get(cmd[-1]).config)
            self.pid = 0

    monkeypatch.setattr(subprocess, "Popen", NoWorker)
    at = groups_page(run_id)
    at.selectbox(key="groups.choice").set_value(1).run()
    at.button(key="groups.launch").click().run()
    assert not at.exception
    params = launched[0]["method"]["params"]
    assert params["identifier_run"] == run_id and params["group"] == 1
    assert (store.runs_root / run_id / "identifier.pt").exists()
    new = [r for r in store.list() if r.id != run_id][0]
    assert at.query_params["run"] == new.id  # landed on the new run, not on "No run selected yet"
    assert not any("No run selected" in i.value for i in at.info)
