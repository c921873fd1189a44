"""The SQLite run store: rows, events, cancel flag, lost detection, delete."""

from __future__ import annotations

import subprocess
import sys

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
