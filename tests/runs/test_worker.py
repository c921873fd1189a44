"""Worker lifecycle with real detached processes: success, failure kept, cancel, killed -> lost."""

from __future__ import annotations

import os
import signal
import time

import pytest

from core.runs import RunStore, cancel, launch


def wait_for(store: RunStore, run_id: str, predicate, timeout: float = 180.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        run = store.get(run_id)
        if predicate(run):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not reach the expected state: {store.get(run_id)}")


@pytest.fixture
def store(unlearn_home):
    return RunStore(unlearn_home / "runs.db")


def test_success_stores_results_events_and_checkpoint(store, tiny_scenario):
    rid = launch(store, tiny_scenario)
    run = wait_for(store, rid, lambda r: not r.active)
    assert run.status == "succeeded", run.error
    models = [r["model"] for r in run.results["results"]]
    assert models == ["original", "gold", "finetune"]
    for row in run.results["results"]:
        assert 0.0 <= row["metrics"]["test_acc"] <= 1.0 and 0.0 <= row["metrics"]["nomus"] <= 1.0
    stages = {e.stage for e in store.events(rid)}
    assert {"data", "original", "gold", "unlearn", "evaluate"} <= stages
    assert (store.runs_root / rid / "unlearned.pt").exists()
    assert run.device == "cpu" and run.duration > 0


def test_failure_keeps_error_text(store, tiny_scenario):
    tiny_scenario["forget"] = {"kind": "identities", "identities": [9999]}
    rid = launch(store, tiny_scenario)
    run = wait_for(store, rid, lambda r: not r.active)
    assert run.status == "failed"
    assert "forget.identities" in run.error and "9999" in run.error


def test_cancel_stops_a_running_worker(store, tiny_scenario):
    tiny_scenario["train"]["epochs"] = 40
    rid = launch(store, tiny_scenario)
    wait_for(store, rid, lambda r: any(e.stage == "original" for e in store.events(rid)))
    cancel(store, rid)
    run = wait_for(store, rid, lambda r: not r.active, timeout=60)
    assert run.status == "cancelled"


def test_killed_worker_is_marked_lost(store, tiny_scenario):
    tiny_scenario["train"]["epochs"] = 40
    rid = launch(store, tiny_scenario)
    run = wait_for(store, rid, lambda r: r.status == "running")
    os.kill(run.pid, signal.SIGKILL)
    run = wait_for(store, rid, lambda r: not r.active, timeout=30)
    assert run.status == "lost"


def test_invalid_config_is_refused_before_storing(store, tiny_scenario):
    from core.config import ConfigError

    tiny_scenario["method"] = {"name": "nope"}
    with pytest.raises(ConfigError, match="method.name"):
        launch(store, tiny_scenario)
    assert store.list() == []
