"""One launch flow: Home, Run, Forget and Filter groups all draw their Launch button through
``dashboard.components.launch_block.launch_button``, and ``core.runs.launch`` takes the Scenario itself."""

from __future__ import annotations

import subprocess

import pytest
from streamlit.testing.v1 import AppTest

import dashboard.components.launch_block as block
from core.config import default_scenario
from dashboard.components.launch_block import launch_key
from tests.dashboard.test_filter_groups_page import groups_page, pattern_run  # noqa: F401 (fixture)
from tests.dashboard.test_forget_page import forget_page
from tests.dashboard.test_pages import APP, TIMEOUT, app


@pytest.fixture
def drawn(monkeypatch) -> list[str]:
    """The page keys every ``launch_button`` call of a page run drew its button for."""
    keys: list[str] = []
    real = block.launch_button

    def recording(scenario, key, *args, **kwargs):
        keys.append(key)
        return real(scenario, key, *args, **kwargs)

    monkeypatch.setattr(block, "launch_button", recording)
    return keys


@pytest.mark.parametrize("page, key", [("home", "home"), ("run", "launch"), ("forget", "forget")])
def test_home_run_and_forget_launch_through_the_one_block(store, drawn, page, key):
    at = {"home": lambda: AppTest.from_file(str(APP), default_timeout=TIMEOUT).run(),
          "run": app, "forget": forget_page}[page]()
    assert not at.exception
    assert drawn == [key] and at.button(key=launch_key(key))


def test_filter_groups_launches_through_the_one_block(pattern_run, drawn):  # noqa: F811
    at = groups_page(pattern_run[1])
    assert not at.exception
    assert drawn == ["groups"] and at.button(key=launch_key("groups")).label.startswith("Unlearn group")


def test_launch_takes_the_scenario_and_stores_its_dict(store, monkeypatch):
    from core.runs import launch

    class NoWorker:
        pid = 0

        def __init__(self, *args, **kwargs):
            pass

    monkeypatch.setattr(subprocess, "Popen", NoWorker)
    sc = default_scenario(method={"name": "retrain", "params": {}})
    run_id = launch(store, sc)
    assert store.get(run_id).config == sc.to_dict() and store.get(run_id).name == sc.title()
    with pytest.raises(TypeError, match="Scenario"):
        launch(store, sc.to_dict())
