"""The pages through Streamlit's AppTest: empty states, the launch form, a run's live view, the runs list.

Runs are inserted into the store by hand (see conftest) except in the launch test, which starts a
real worker and cancels it. AppTest cannot fire ``run_every`` timers: each ``run()`` is one poll.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.methods import METHODS
from core.runs import RunStore, cancel
from tests.dashboard.seed import RESULTS, seed_run

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
TIMEOUT = 60  # the first run imports torch


def app(run_id: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if run_id:
        at.query_params["run"] = run_id
    at.switch_page("views/run.py")  # Home is the default page
    return at.run()


def texts(at: AppTest, kind: str) -> str:
    return "\n".join(str(e.value) for e in getattr(at, kind))


def live_traces(at: AppTest) -> dict[str, list]:
    charts = [e for e in at.get("plotly_chart") if e.proto.id and "live_chart" in e.key]
    spec = json.loads(charts[0].proto.spec)
    return {t["meta"]: t["y"] for t in spec["data"]}


def test_run_page_without_runs_shows_the_form_and_an_empty_state(store):
    at = app()
    assert not at.exception
    assert "No run selected yet" in texts(at, "info")
    method = at.selectbox(key="launch.method")
    assert method.options == [n for n in METHODS.names() if METHODS.get(n).kinds in (None,) or
                              "identities" in METHODS.get(n).kinds] and method.value == "scrub"  # the default scenario's
    assert "detachment" not in method.options  # an attribute method is not offered for people
    assert "SCRUB" in texts(at, "caption")  # the method's one-line description
    epochs = at.number_input(key="launch.params.scrub.epochs")
    assert epochs.value == 3 and epochs.min == 1 and epochs.max == 100
    assert at.number_input(key="launch.params.scrub.lr").value == pytest.approx(0.005)
    assert at.number_input(key="launch.train_epochs").value == 8
    assert at.button(key="launch.launch").label == "Launch"


def test_choosing_another_method_rebuilds_its_settings(store):
    at = app()
    at.selectbox(key="launch.method").select("retrain").run()
    keys = {n.key for n in at.number_input}
    assert {"launch.params.retrain.epochs", "launch.params.retrain.lr"} <= keys
    assert "launch.params.scrub.epochs" not in keys
    assert "gold model" in texts(at, "caption")


def test_launch_creates_a_run_and_selects_it_in_the_url(store):
    at = app()
    at.number_input(key="launch.train_epochs").set_value(1)
    at.button(key="launch.launch").click().run()
    assert not at.exception and not at.error, texts(at, "error")
    runs = store.list()
    try:
        assert len(runs) == 1 and at.query_params["run"] == runs[0].id
        run = runs[0]
        assert run.config["method"]["name"] == "scrub" and run.config["train"]["epochs"] == 1
        assert run.config["dataset"]["name"] == "synthfaces"
        deadline = time.time() + 30  # on a loaded machine the store row can trail the page's run by a moment
        while not store.get(run.id).pid and time.time() < deadline:
            time.sleep(0.2)
        assert store.get(run.id).pid, "the worker's pid never reached the store"
        assert run.name in texts(at, "subheader")
    finally:
        for run in runs:  # never leave a worker training behind the test
            cancel(store, run.id)
        deadline = time.time() + 60
        while any(store.get(r.id).active for r in runs) and time.time() < deadline:
            time.sleep(0.3)
    assert all(not store.get(r.id).active for r in runs)


def test_succeeded_run_shows_chart_metrics_and_results(store):
    run_id = seed_run(store, "succeeded")
    at = app(run_id)
    assert not at.exception
    assert ":green-badge[succeeded]" in texts(at, "markdown")
    assert live_traces(at) == {"test_acc": [0.60, 0.62, 0.65], "mia_acc": [0.80, 0.70, 0.55], "nomus": [0.50, 0.61, 0.78],
                               # the final values (every image, the final attacker) as their own markers
                               "final:test_acc": [0.71], "final:mia_acc": [0.60], "final:nomus": [0.76]}
    assert "3 unlearning epochs received" in texts(at, "caption")
    # the final numbers the verdict reads for people (the attack, then test accuracy), then the live tiles
    assert [m.value for m in at.metric] == ["0.600", "0.710", "0.650", "0.550", "0.780"]
    table = at.dataframe[0].value
    assert list(table["model"]) == [r[0] for r in RESULTS] and list(table["nomus"]) == [r[3] for r in RESULTS]
    assert not at.button(key="launch.launch").disabled and not [b for b in at.button if b.key == "run.cancel"]
    assert f"run={run_id}" in [e.proto.query_string for e in at.get("page_link")]  # the way to its audit


def test_failed_run_shows_its_error(store):
    run_id = seed_run(store, "failed", epochs=1, error="DataError: forget.count: too many people\n\nTraceback ...")
    at = app(run_id)
    assert "DataError: forget.count: too many people" in texts(at, "error")
    assert ":red-badge[failed]" in texts(at, "markdown")
    assert not at.dataframe
    assert "Traceback" not in texts(at, "error") + texts(at, "code") + texts(at, "caption")  # kept in the store


def test_running_run_shows_progress_and_cancel_signals_the_worker(store, live_process):
    run_id = seed_run(store, "running", epochs=2, pid=live_process.pid)
    at = app(run_id)
    assert not at.exception
    bars = at.get("progress")
    assert bars and "Stage 4 of 6: Unlearning (fine-tuning) — step 2/3" in bars[0].proto.text
    assert len(live_traces(at)["test_acc"]) == 2
    at.button(key="run.cancel").click().run()
    assert store.cancel_requested(run_id)
    assert live_process.wait(timeout=10) != 0  # the SIGTERM reached the (stand-in) worker
    assert store.get(run_id).status == "cancelled"  # asked to stop and gone before saying so: still cancelled


def test_unknown_run_in_the_url_is_explained(store):
    at = app("20990101-000000-nope")
    assert "There is no run '20990101-000000-nope'" in texts(at, "warning")


def test_runs_page_empty_state(store):
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("views/runs.py").run()
    assert not at.exception
    assert "No runs yet" in texts(at, "info")


def test_runs_page_lists_newest_first_and_opens_a_run(store):
    first = seed_run(store, "succeeded")
    time.sleep(0.01)
    second = seed_run(store, "failed", epochs=1, error="boom")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("views/runs.py").run()
    table = at.dataframe[0].value
    assert list(table["id"]) == [second, first]
    assert list(table["status"]) == ["failed", "succeeded"]
    assert list(table.columns[:3]) == ["id", "name", "status"] and "duration" in table and "device" in table
    at.session_state["runs.open"] = first  # what choosing the row does (the selection callback)
    at.run()
    assert not at.exception
    assert at.query_params["run"] == first
    assert ":green-badge[succeeded]" in texts(at, "markdown")  # now on the Run page, showing it


def test_pages_use_the_store_from_unlearn_home(store, unlearn_home):
    assert Path(os.environ["UNLEARN_HOME"]) == unlearn_home and store.db.parent == unlearn_home
    seed_run(store, "succeeded")
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("views/runs.py").run()
    assert len(at.dataframe[0].value) == len(RunStore(unlearn_home / "runs.db").list()) == 1
    assert str(unlearn_home) in texts(at, "caption")


def test_finished_run_shows_the_attack_roc_when_its_metrics_kept_one(store):
    from tests.dashboard.seed import seed_audited_run

    at = app(seed_audited_run(store))
    assert not at.exception, at.exception
    roc = [e for e in at.get("plotly_chart") if "run.roc" in e.key]
    spec = json.loads(roc[0].proto.spec)
    assert any("AUC" in (t.get("name") or "") for t in spec["data"])
    plain = app(seed_run(store, "succeeded"))
    assert not [e for e in plain.get("plotly_chart") if "run.roc" in e.key]
