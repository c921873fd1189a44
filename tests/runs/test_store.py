"""The SQLite run store: rows, events, cancel flag, lost detection (pid and start time, stale beats),
migration of old files, waiting out a held lock, named errors for a locked or corrupt file, delete."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager

import pytest

from core.runs.store import RunStore, UnknownRun


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path / "runs.db")


def test_create_get_list(store):
    a = store.create({"x": 1}, "first")
    b = store.create({"x": 2}, "second")
    run = store.get(a)
    assert run.status == "queued" and run.config == {"x": 1} and run.name == "first"
    assert [r.id for r in store.list()] == [b, a]
    assert store.list(status="queued")[0].id == b


def test_unknown_run_names_the_id(store):
    with pytest.raises(UnknownRun, match="no run 'nope'"):
        store.get("nope")


def test_events_roundtrip_and_after(store):
    rid = store.create({}, "r")
    store.add_event(rid, "unlearn", 1, 3, {"test_acc": 0.5})
    store.add_event(rid, "unlearn", 2, 3, {"test_acc": 0.6})
    events = store.events(rid)
    assert [e.step for e in events] == [1, 2] and events[1].metrics == {"test_acc": 0.6}
    assert [e.step for e in store.events(rid, after=events[0].seq)] == [2]


def test_finish_keeps_results_and_error(store):
    rid = store.create({}, "r")
    store.mark_running(rid, 12345, "cpu")
    store.finish(rid, "failed", error="DataError: boom")
    run = store.get(rid)
    assert run.status == "failed" and run.error == "DataError: boom" and run.finished is not None
    with pytest.raises(ValueError):
        store.finish(rid, "running")


def test_cancel_flag(store):
    rid = store.create({}, "r")
    assert not store.cancel_requested(rid)
    store.request_cancel(rid)
    assert store.cancel_requested(rid)


def test_dead_worker_becomes_lost(store):
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    rid = store.create({}, "r")
    store.mark_running(rid, proc.pid, "cpu")
    run = store.get(rid)
    assert run.status == "lost" and "worker process stopped" in run.error


def test_live_worker_stays_running(store):
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        rid = store.create({}, "r")
        store.mark_running(rid, proc.pid, "cpu")
        assert store.get(rid).status == "running"
    finally:
        proc.kill()
        proc.wait()


def test_delete_removes_row_events_and_files(store):
    rid = store.create({}, "r")
    (store.run_dir(rid) / "unlearned.pt").write_bytes(b"x")
    store.add_event(rid, "unlearn", 1, 1, {})
    store.finish(rid, "succeeded", results={})
    store.delete(rid)
    assert not (store.runs_root / rid).exists() and store.events(rid) == []
    with pytest.raises(UnknownRun):
        store.get(rid)


def test_delete_refuses_active_run(store):
    rid = store.create({}, "r")
    store.mark_running(rid, __import__("os").getpid(), "cpu")
    with pytest.raises(ValueError, match="cancel it before deleting"):
        store.delete(rid)


def test_wal_mode(store):
    import sqlite3

    assert sqlite3.connect(store.db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.fixture
def sleeper():
    """A real other process (not ours, not our worker) that stays alive for the test."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_reused_pid_is_lost_and_cancel_leaves_that_process_alone(store, sleeper):
    """The recorded start time is not the live process's: the pid was given to someone else."""
    from core.runs import cancel

    rid = store.create({}, "r")
    store.mark_running(rid, sleeper.pid, "cpu")
    store._do(lambda c: c.execute("UPDATE runs SET pid_started = pid_started - 100 WHERE id = ?", (rid,)))
    assert store.worker(rid) is None
    cancel(store, rid)  # by pid alone this SIGTERMed the sleeper
    assert sleeper.poll() is None
    run = store.get(rid)
    assert run.status == "lost" and "worker process stopped" in run.error


def test_cancel_signals_the_recorded_process(store, sleeper):
    from core.runs import cancel

    rid = store.create({}, "r")
    store.set_pid(rid, sleeper.pid)
    assert store.get(rid).pid_started is not None
    cancel(store, rid)
    assert sleeper.wait(timeout=10) == -15  # SIGTERM, sent because pid and start time both match
    assert store.get(rid).status == "cancelled"  # asked to stop and gone: cancelled, not lost


def test_stale_heartbeat_marks_lost(store, sleeper):
    from core.runs.store import HUNG_SECONDS, STALE_SECONDS

    old, hung = store.create({}, "old"), store.create({}, "hung")
    store.mark_running(old, sleeper.pid, "cpu")
    store.mark_running(hung, sleeper.pid, "cpu")
    assert store.get(old).status == "running"
    # a row from before start times were kept: the pid alone is not trusted once beats stop
    store._do(lambda c: c.execute("UPDATE runs SET pid_started = NULL, heartbeat = ? WHERE id = ?",
                                  (time.time() - STALE_SECONDS - 1, old)))
    store._do(lambda c: c.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time() - HUNG_SECONDS - 1, hung)))
    assert store.get(old).status == "lost"
    assert store.get(hung).status == "lost" and "no heartbeat" in store.get(hung).error


def test_old_runs_db_without_start_times_still_opens(tmp_path):
    import sqlite3

    db = tmp_path / "runs.db"
    with sqlite3.connect(db) as c:  # the schema before pid_started existed
        c.execute("CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, started REAL, "
                  "finished REAL, status TEXT NOT NULL, config TEXT NOT NULL, pid INTEGER, heartbeat REAL, device TEXT, "
                  "error TEXT, results TEXT, cancel INTEGER NOT NULL DEFAULT 0)")
        c.execute("INSERT INTO runs (id, name, created, status, config) VALUES ('a', 'a', 1.0, 'succeeded', '{}')")
    store = RunStore(db)
    assert store.get("a").status == "succeeded" and store.get("a").pid_started is None
    rid = store.create({}, "new")
    store.set_pid(rid, os.getpid())
    assert store.get(rid).pid_started is not None


HOLD = "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); c.execute('BEGIN IMMEDIATE'); print('held', flush=True); time.sleep(float(sys.argv[2]))"


@contextmanager
def lock_held(db, seconds):
    """Another real process holding runs.db's write lock for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(db), str(seconds)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_a_write_waits_out_a_lock_longer_than_sqlites_own_timeout(tmp_path):
    store = RunStore(tmp_path / "runs.db", attempt_seconds=0.2, lock_wait=30)
    rid = store.create({}, "r")
    with lock_held(store.db, 1.5):
        store.add_event(rid, "original", 1, 2, {"loss": 1.0})  # 7 attempts of 0.2 s, backing off between
    assert [e.step for e in store.events(rid)] == [1]


def test_a_lock_held_past_the_bounded_wait_names_the_holder(tmp_path):
    from core.runs.store import StoreLocked

    store = RunStore(tmp_path / "runs.db", attempt_seconds=0.1, lock_wait=0.5)
    rid = store.create({}, "r")
    with lock_held(store.db, 30) as holder:
        with pytest.raises(StoreLocked, match=rf"locked by another process.*pid {holder.pid}"):
            store.add_event(rid, "original", 1, 2, {})


def test_progress_event_is_best_effort_while_the_store_is_locked(tmp_path, capfd):
    from core.runs.progress import StoreProgress

    store = RunStore(tmp_path / "runs.db", attempt_seconds=0.1, lock_wait=0.3)
    rid = store.create({}, "r")
    progress = StoreProgress(store, rid)
    with lock_held(store.db, 30):
        progress(1, 2, stage="original", loss=1.0)  # the run goes on; the chart misses one point
    progress(2, 2, stage="original", loss=0.5)
    assert progress.dropped == 1 and [e.step for e in store.events(rid)] == [2]
    assert "not recorded" in capfd.readouterr().err


def test_corrupt_runs_db_is_a_named_error_also_from_the_cli(tmp_path, capsys, unlearn_home):
    from core.cli.main import main
    from core.runs.store import StoreCorrupt

    db = tmp_path / "runs.db"
    db.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreCorrupt, match=r"is corrupt.*move it aside"):
        RunStore(db)
    unlearn_home.mkdir(parents=True, exist_ok=True)
    (unlearn_home / "runs.db").write_bytes(b"garbage" * 1000)
    assert main(["runs"]) == 2
    err = capsys.readouterr().err
    assert "runs.db at" in err and "corrupt" in err and "Traceback" not in err
