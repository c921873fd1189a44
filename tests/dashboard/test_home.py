"""The Home page: the default page, its empty state, the last five runs, teaching steps, one-click launch."""

from __future__ import annotations

import time

from streamlit.testing.v1 import AppTest

from core.config import DEFAULT_SCENARIO
from core.runs import cancel
from dashboard.components.story import scenario_steps
from tests.dashboard.seed import seed_run
from tests.dashboard.test_pages import APP, TIMEOUT, texts


def home() -> AppTest:
    return AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()


def test_home_is_the_default_page_and_has_an_empty_state(store):
    at = home()
    assert not at.exception
    assert "Machine unlearning" in texts(at, "markdown")
    assert "No runs yet" in texts(at, "info")
    assert at.button(key="home.launch").label == "Run the default scenario"
    assert "step by step" not in texts(at, "markdown")


def test_home_lists_the_five_latest_runs_with_status(store):
    ids = []
    for status in ("succeeded", "failed", "succeeded", "cancelled", "succeeded", "failed"):
        ids.append(seed_run(store, status, epochs=1))
        time.sleep(0.01)
    at = home()
    links = [e.proto.query_string for e in at.get("page_link") if "run=" in e.proto.query_string]
    assert links == [f"run={i}" for i in reversed(ids[1:])]  # newest first, the oldest left out
    badges = texts(at, "markdown")
    assert ":red-badge[failed]" in badges and ":orange-badge[cancelled]" in badges


def test_teaching_mode_walks_through_the_default_scenario(store):
    at = home()
    at.toggle(key="teaching").set_value(True).run()
    markdown = texts(at, "markdown")
    assert "step by step" in markdown
    steps = scenario_steps(DEFAULT_SCENARIO)
    assert len(steps) == 6 and all(s in markdown for s in steps)
    assert "8 random people (every image of each)" in steps[0]


def test_default_scenario_button_launches_and_opens_the_run(store):
    at = home()
    at.button(key="home.launch").click().run()
    runs = store.list()
    try:
        assert not at.exception and len(runs) == 1
        assert at.query_params["run"] == runs[0].id
        assert runs[0].config["dataset"] == DEFAULT_SCENARIO["dataset"]
        assert runs[0].name in texts(at, "subheader")  # the Run page, showing it
    finally:
        for run in runs:
            cancel(store, run.id)
        deadline = time.time() + 60
        while any(store.get(r.id).active for r in runs) and time.time() < deadline:
            time.sleep(0.3)


def test_teaching_mode_survives_a_refresh_through_the_url(store):
    at = home()
    at.toggle(key="teaching").set_value(True).run()
    assert at.query_params["teach"] == ["1"] or at.query_params["teach"] == "1"
    fresh = AppTest.from_file(str(APP), default_timeout=TIMEOUT)  # a refresh: a new session, the same URL
    fresh.query_params["teach"] = "1"
    fresh.run()
    assert fresh.toggle(key="teaching").value and "What will happen, step by step" in texts(fresh, "markdown")
