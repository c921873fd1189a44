"""Worker lifecycle with real processes: success, failure kept, cancel (detached, mid-write, foreground
Ctrl-C/SIGTERM), killed -> lost."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.config import scenario_from_dict
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
    rid = launch(store, scenario_from_dict(tiny_scenario))
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
    rid = launch(store, scenario_from_dict(tiny_scenario))
    run = wait_for(store, rid, lambda r: not r.active)
    assert run.status == "failed"
    assert "forget.identities" in run.error and "9999" in run.error


def test_cancel_stops_a_running_worker(store, tiny_scenario):
    tiny_scenario["train"]["epochs"] = 40
    rid = launch(store, scenario_from_dict(tiny_scenario))
    wait_for(store, rid, lambda r: any(e.stage == "original" for e in store.events(rid)))
    asked = time.time()
    cancel(store, rid)
    run = wait_for(store, rid, lambda r: not r.active, timeout=60)
    assert run.status == "cancelled", run.error
    assert run.finished - asked < 2.0, f"cancel took {run.finished - asked:.1f} s"  # the bound, under load


def test_sigterm_while_this_process_holds_the_write_lock_ends_cancelled(store, tiny_scenario):
    """The signal lands while the process is inside a write transaction (as when it interrupts
    add_event): a handler that wrote to the store would wait on its own lock and fail the run."""
    from core.runs.signals import cancel_on_signals
    from core.runs.worker import execute

    rid = store.create(tiny_scenario, "r")

    def signal_inside_a_write(step, total, *, stage="", **metrics):
        if stage == "original":
            held = sqlite3.connect(store.db, timeout=0)
            held.execute("BEGIN IMMEDIATE")  # this process now holds runs.db's write lock
            os.kill(os.getpid(), signal.SIGTERM)  # the handler runs here, before the lock is let go
            held.rollback()
            held.close()

    with cancel_on_signals() as flag:
        status = execute(store, rid, extra_progress=signal_inside_a_write, flag=flag)
    run = store.get(rid)
    assert status == "cancelled" and run.error == "cancelled by the user (SIGTERM)"
    assert not any(e.stage == "gold" for e in store.events(rid))  # stopped at the next report


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_foreground_run_cancels_on_ctrl_c_and_sigterm(store, tiny_scenario, tmp_path, signum):
    """``unlearn run`` treats Ctrl-C and SIGTERM alike: the run is kept as cancelled, one line, no traceback."""
    tiny_scenario["train"]["epochs"] = 400
    config = tmp_path / "tiny.yaml"
    config.write_text(json.dumps(tiny_scenario))  # JSON is YAML
    proc = subprocess.Popen([sys.executable, "-m", "core.cli.main", "run", str(config)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
    try:
        deadline = time.time() + 120
        while not any(e.stage == "original" for r in store.list() for e in store.events(r.id)):
            assert proc.poll() is None and time.time() < deadline, proc.communicate()
            time.sleep(0.2)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    [run] = store.list()
    assert proc.returncode == 130 and run.status == "cancelled", (proc.returncode, out, err)
    assert f"run {run.id}: cancelled" in out
    assert "Traceback" not in err and f"cancelled by the user ({signal.Signals(signum).name})" in err


def test_killed_worker_is_marked_lost(store, tiny_scenario):
    tiny_scenario["train"]["epochs"] = 40
    rid = launch(store, scenario_from_dict(tiny_scenario))
    run = wait_for(store, rid, lambda r: r.status == "running")
    os.kill(run.pid, signal.SIGKILL)
    run = wait_for(store, rid, lambda r: not r.active, timeout=30)
    assert run.status == "lost"


def test_invalid_config_is_refused_before_storing(store, tiny_scenario):
    from core.config import ConfigError

    sc = scenario_from_dict(tiny_scenario)
    sc.method.name = "nope"  # a dataclass changed after it was validated
    with pytest.raises(ConfigError, match="method.name"):
        launch(store, sc)
    with pytest.raises(TypeError, match="Scenario"):
        launch(store, tiny_scenario)  # a plain dict is not taken: the Scenario is the one currency
    assert store.list() == []
