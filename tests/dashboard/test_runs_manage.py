"""The Runs page's cancel and delete: delete asks first, removes row and files; active runs must be cancelled first."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import UnknownRun
from tests.dashboard.seed import seed_run
from tests.dashboard.test_pages import APP, TIMEOUT, texts


def runs_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("views/runs.py")
    return at.run()


def test_delete_asks_for_confirmation_then_removes_the_run_and_its_files(store):
    keep = seed_run(store, "succeeded")
    gone = seed_run(store, "failed", epochs=1, error="boom")
    (store.run_dir(gone) / "note.txt").write_text("x")
    at = runs_page()
    at.selectbox(key="runs.manage").select(gone).run()
    at.button(key="runs.delete").click().run()
    assert "cannot be undone" in texts(at, "warning")
    at.button(key="runs.delete.no").click().run()
    assert store.get(gone) and not at.warning  # kept
    at.button(key="runs.delete").click().run()
    at.button(key="runs.delete.yes").click().run()
    assert not at.exception
    with pytest.raises(UnknownRun):
        store.get(gone)
    assert not (store.runs_root / gone).exists()
    assert list(at.dataframe[0].value["id"]) == [keep]
    assert at.selectbox(key="runs.manage").options == [keep] or gone not in at.selectbox(key="runs.manage").options


def test_a_run_deleted_elsewhere_leaves_the_select(store):
    keep = seed_run(store, "succeeded")
    gone = seed_run(store, "failed", epochs=1, error="boom")
    at = runs_page()
    at.selectbox(key="runs.manage").select(gone).run()
    store.delete(gone)  # another tab, or the CLI
    at.run()
    assert not at.exception
    assert at.selectbox(key="runs.manage").value == keep and gone not in at.selectbox(key="runs.manage").options


def test_active_run_can_be_cancelled_but_not_deleted(store, live_process):
    run_id = seed_run(store, "running", epochs=1, pid=live_process.pid)
    at = runs_page()
    assert at.button(key="runs.delete").disabled
    assert "cancel it first" in texts(at, "caption")
    at.button(key="runs.cancel").click().run()
    assert store.cancel_requested(run_id)
    assert live_process.wait(timeout=10) != 0
