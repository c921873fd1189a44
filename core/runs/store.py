"""The SQLite run store (WAL mode, one short-lived connection per call) and each run's folder.

A run row holds the scenario config, status, timestamps, heartbeat, worker pid, the final results
and the error text; ``events`` holds the per-epoch metric events the live charts read. A run whose
worker is gone while it still says queued/running is marked ``lost`` whenever anyone looks.
"""

from __future__ import annotations

import json
import secrets
import shutil
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psutil

from core import paths

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "lost")
ACTIVE = ("queued", "running")
STALE_SECONDS = 15.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, started REAL, finished REAL,
    status TEXT NOT NULL, config TEXT NOT NULL, pid INTEGER, heartbeat REAL, device TEXT,
    error TEXT, results TEXT, cancel INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, ts REAL NOT NULL, stage TEXT NOT NULL,
    step INTEGER NOT NULL, total INTEGER NOT NULL, metrics TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id, seq);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created);
"""


class UnknownRun(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Run:
    id: str
    name: str
    created: float
    started: float | None
    finished: float | None
    status: str
    config: dict
    pid: int | None
    heartbeat: float | None
    device: str | None
    error: str | None
    results: dict | None
    cancel: bool

    @property
    def duration(self) -> float | None:
        if self.started is None:
            return None
        return (self.finished or time.time()) - self.started

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


@dataclass
class Event:
    seq: int
    ts: float
    stage: str
    step: int
    total: int
    metrics: dict


def _process_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class RunStore:
    """All access to runs goes through here; safe to use from several processes at once."""

    def __init__(self, db: Path | None = None, runs_root: Path | None = None) -> None:
        self.db = Path(db) if db else paths.db_path()
        self.runs_root = Path(runs_root) if runs_root else self.db.parent / "runs"
        self.db.parent.mkdir(parents=True, exist_ok=True)
        with self._conn() as c:
            c.execute("PRAGMA journal_mode=WAL")
            c.executescript(_SCHEMA)

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.db, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def run_dir(self, run_id: str) -> Path:
        path = self.runs_root / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def create(self, config: dict, name: str = "") -> str:
        """Insert a queued run and return its id (time-sortable, unique)."""
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        with self._conn() as c:
            c.execute("INSERT INTO runs (id, name, created, status, config) VALUES (?, ?, ?, 'queued', ?)",
                      (run_id, name or run_id, time.time(), json.dumps(config)))
        return run_id

    def _row(self, row: sqlite3.Row) -> Run:
        d = dict(row)
        d["config"] = json.loads(d["config"])
        d["results"] = json.loads(d["results"]) if d["results"] else None
        d["cancel"] = bool(d["cancel"])
        return Run(**d)

    def get(self, run_id: str) -> Run:
        self.reconcile(run_id)
        with self._conn() as c:
            row = c.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise UnknownRun(f"no run {run_id!r}; `unlearn runs` lists them")
        return self._row(row)

    def list(self, limit: int = 200, status: str | None = None) -> list[Run]:
        self.reconcile()
        query, args = "SELECT * FROM runs", []
        if status:
            query, args = query + " WHERE status = ?", [status]
        with self._conn() as c:
            rows = c.execute(query + " ORDER BY created DESC LIMIT ?", (*args, limit)).fetchall()
        return [self._row(r) for r in rows]

    def set_pid(self, run_id: str, pid: int) -> None:
        with self._conn() as c:
            c.execute("UPDATE runs SET pid = ?, heartbeat = ? WHERE id = ?", (pid, time.time(), run_id))

    def mark_running(self, run_id: str, pid: int, device: str) -> None:
        now = time.time()
        with self._conn() as c:
            c.execute("UPDATE runs SET status='running', started=?, heartbeat=?, pid=?, device=? WHERE id=?",
                      (now, now, pid, device, run_id))

    def beat(self, run_id: str) -> None:
        with self._conn() as c:
            c.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

    def finish(self, run_id: str, status: str, results: dict | None = None, error: str | None = None) -> None:
        if status not in STATUSES or status in ACTIVE:
            raise ValueError(f"finish: {status!r} is not a final status")
        with self._conn() as c:
            c.execute("UPDATE runs SET status=?, finished=?, results=?, error=? WHERE id=?",
                      (status, time.time(), json.dumps(results) if results is not None else None, error, run_id))

    def add_event(self, run_id: str, stage: str, step: int, total: int, metrics: dict) -> None:
        with self._conn() as c:
            c.execute("INSERT INTO events (run_id, ts, stage, step, total, metrics) VALUES (?, ?, ?, ?, ?, ?)",
                      (run_id, time.time(), stage, step, total, json.dumps(metrics)))
            c.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

    def events(self, run_id: str, after: int = 0) -> list[Event]:
        with self._conn() as c:
            rows = c.execute("SELECT seq, ts, stage, step, total, metrics FROM events WHERE run_id = ? AND seq > ? "
                             "ORDER BY seq", (run_id, after)).fetchall()
        return [Event(r["seq"], r["ts"], r["stage"], r["step"], r["total"], json.loads(r["metrics"])) for r in rows]

    def request_cancel(self, run_id: str) -> None:
        self.get(run_id)
        with self._conn() as c:
            c.execute("UPDATE runs SET cancel = 1 WHERE id = ?", (run_id,))

    def cancel_requested(self, run_id: str) -> bool:
        with self._conn() as c:
            row = c.execute("SELECT cancel FROM runs WHERE id = ?", (run_id,)).fetchone()
        return bool(row and row["cancel"])

    def delete(self, run_id: str) -> None:
        """Remove the run's row, events and files. An active run must be cancelled first."""
        if self.get(run_id).active:
            raise ValueError(f"run {run_id} is still {self.get(run_id).status}; cancel it before deleting")
        with self._conn() as c:
            c.execute("DELETE FROM events WHERE run_id = ?", (run_id,))
            c.execute("DELETE FROM runs WHERE id = ?", (run_id,))
        shutil.rmtree(self.runs_root / run_id, ignore_errors=True)

    def reconcile(self, run_id: str | None = None) -> None:
        """Mark ``lost`` every active run whose worker process is gone (or never started and went stale)."""
        query = "SELECT id, pid, heartbeat, created FROM runs WHERE status IN ('queued', 'running')"
        args: tuple = ()
        if run_id:
            query, args = query + " AND id = ?", (run_id,)
        with self._conn() as c:
            rows = c.execute(query, args).fetchall()
        now = time.time()
        for r in rows:
            stale = now - (r["heartbeat"] or r["created"]) > STALE_SECONDS
            if (r["pid"] and not _process_alive(r["pid"])) or (not r["pid"] and stale):
                with self._conn() as c:
                    c.execute("UPDATE runs SET status='lost', finished=?, error=? WHERE id=? AND status IN ('queued','running')",
                              (r["heartbeat"] or now, "the worker process stopped without finishing (killed, crashed or machine restarted)", r["id"]))
