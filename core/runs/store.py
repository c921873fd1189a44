"""The SQLite run store (WAL mode, one short-lived connection per call) and each run's folder.

A run row holds the scenario config, status, timestamps, heartbeat, the worker's pid *and its
start time* (a pid alone is reused by the system once the worker is gone), the final results and
the error text; ``events`` holds the per-epoch metric events the live charts read. A run whose
worker is gone while it still says queued/running is marked ``lost`` whenever anyone looks.

Every call backs off and retries while another process holds the write lock, up to a bounded
wait, and then raises :class:`StoreLocked` naming the processes that have the file open; a file
that is not a readable SQLite database raises :class:`StoreCorrupt`. Both are :class:`StoreError`,
whose message says what to do, never a raw sqlite3 traceback.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

import psutil

from core import paths

STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "lost")
ACTIVE = ("queued", "running")
STALE_SECONDS = 15.0  # no beat this long and no verifiable worker process: lost
HUNG_SECONDS = 600.0  # no beat this long although the worker process is verifiably alive: lost (hung)
START_TOLERANCE = 1.0  # seconds between a recorded and a live process start time still taken as the same process
LOCK_WAIT_SECONDS = 120.0  # how long a call keeps retrying while another process holds the write lock
ATTEMPT_SECONDS = 5.0  # SQLite's own busy wait within one attempt
LOST_ERROR = "the worker process stopped without finishing (killed, crashed or machine restarted)"
HUNG_ERROR = f"the worker process sent no heartbeat for {HUNG_SECONDS:.0f} s (hung, or the store was unwritable for it)"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, started REAL, finished REAL,
    status TEXT NOT NULL, config TEXT NOT NULL, pid INTEGER, heartbeat REAL, device TEXT,
    error TEXT, results TEXT, cancel INTEGER NOT NULL DEFAULT 0, pid_started REAL
);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL, ts REAL NOT NULL, stage TEXT NOT NULL,
    step INTEGER NOT NULL, total INTEGER NOT NULL, metrics TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_run ON events(run_id, seq);
CREATE INDEX IF NOT EXISTS runs_created ON runs(created);
"""
# columns newer than the first schema: added to older runs.db files. ``sweep``/``trial``: the sweep a
# run belongs to and its trial's key (core.sweep), NULL for a run started on its own
_ADDED_COLUMNS = {"pid_started": "REAL", "sweep": "TEXT", "trial": "TEXT"}

T = TypeVar("T")


class StoreError(RuntimeError):
    """runs.db cannot be used; the message names the file, the cause and what to do."""


class StoreLocked(StoreError):
    """Another process kept the write lock for longer than the bounded wait."""


class StoreCorrupt(StoreError):
    """runs.db is not a readable SQLite database."""


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
    pid_started: float | None = None  # the worker's start time: with the pid, names one process
    sweep: str | None = None  # the sweep this run is a trial of (core.sweep), else None
    trial: str | None = None  # that trial's key within its sweep

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


def process_started(pid: int | None) -> float | None:
    """The start time (seconds since the epoch) of the live process ``pid``, or None when there is none."""
    if not pid:
        return None
    try:
        proc = psutil.Process(pid)
        return None if proc.status() == psutil.STATUS_ZOMBIE else proc.create_time()
    except psutil.Error:
        return None


def same_process(pid: int | None, started: float | None) -> bool:
    """Whether ``pid`` is still the process that started at ``started`` (not a later one given the same pid)."""
    live = process_started(pid)
    return live is not None and started is not None and abs(live - started) <= START_TOLERANCE


def _is_busy(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in str(exc) or "busy" in str(exc)


def _is_corrupt(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "not a database" in str(exc) or "malformed" in str(exc)


def holders(db: Path) -> list[str]:
    """``pid N (command)`` for every other process that has ``db`` (or its WAL files) open, as far as we may look."""
    names = {str(Path(db).resolve()) + suffix for suffix in ("", "-wal", "-shm")}
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        if proc.pid == os.getpid():
            continue
        try:
            if any(f.path in names for f in proc.open_files()):
                found.append(f"pid {proc.pid} ({' '.join(proc.info['cmdline'] or [])[:80]})")
        except psutil.Error:
            continue
    return found


class RunStore:
    """All access to runs goes through here; safe to use from several processes at once."""

    def __init__(self, db: Path | None = None, runs_root: Path | None = None,
                 lock_wait: float = LOCK_WAIT_SECONDS, attempt_seconds: float = ATTEMPT_SECONDS) -> None:
        self.db = Path(db) if db else paths.db_path()
        self.runs_root = Path(runs_root) if runs_root else self.db.parent / "runs"
        self.lock_wait = lock_wait
        self.attempt_seconds = attempt_seconds
        self.db.parent.mkdir(parents=True, exist_ok=True)
        self._do(self._create_schema)

    @staticmethod
    def _create_schema(c: sqlite3.Connection) -> None:
        c.execute("PRAGMA journal_mode=WAL")
        c.executescript(_SCHEMA)
        have = {row["name"] for row in c.execute("PRAGMA table_info(runs)")}
        for column, kind in _ADDED_COLUMNS.items():
            if column not in have:
                try:
                    c.execute(f"ALTER TABLE runs ADD COLUMN {column} {kind}")
                except sqlite3.OperationalError as exc:  # another process opening the same old file added it first
                    if "duplicate column" not in str(exc):
                        raise

    def _attempt(self, work: Callable[[sqlite3.Connection], T], timeout: float) -> T:
        conn = sqlite3.connect(self.db, timeout=timeout)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                return work(conn)
        finally:
            conn.close()

    def _do(self, work: Callable[[sqlite3.Connection], T], wait: float | None = None) -> T:
        """Run ``work`` in one transaction; while another process holds the write lock, back off and
        retry until ``wait`` (default: the store's ``lock_wait``) is spent, then raise StoreLocked."""
        deadline = time.monotonic() + (self.lock_wait if wait is None else wait)
        delay = 0.02
        while True:
            left = deadline - time.monotonic()
            try:
                return self._attempt(work, timeout=max(0.0, min(self.attempt_seconds, left)))
            except sqlite3.DatabaseError as exc:
                if not _is_busy(exc):
                    raise self._named(exc) from exc
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._locked(wait) from exc
                time.sleep(min(delay, left))
                delay = min(delay * 2, 1.0)

    def _locked(self, wait: float | None) -> StoreLocked:
        who = holders(self.db)
        held = f"processes with it open: {'; '.join(who)}" if who else "no other process with it open was visible to us"
        return StoreLocked(
            f"runs.db at {self.db} stayed locked by another process for {self.lock_wait if wait is None else wait:.0f} s "
            f"({held}); let that process finish or stop it, then retry"
        )

    def _named(self, exc: sqlite3.DatabaseError) -> StoreError:
        if _is_corrupt(exc):
            return StoreCorrupt(
                f"runs.db at {self.db} is corrupt or not a SQLite database ({exc}); move it aside "
                f"(e.g. `mv {self.db} {self.db}.corrupt`, with its -wal/-shm files) and a fresh, empty store is "
                f"created; the run folders under {self.runs_root} are kept"
            )
        return StoreError(
            f"runs.db at {self.db} cannot be used ({exc}); check that its folder exists, is writable and has "
            "free space, or point UNLEARN_HOME elsewhere"
        )

    def run_dir(self, run_id: str) -> Path:
        path = self.runs_root / run_id
        path.mkdir(parents=True, exist_ok=True)
        return path

    def create(self, config: dict, name: str = "") -> str:
        """Insert a queued run and return its id (time-sortable, unique)."""
        run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)
        self._do(lambda c: c.execute("INSERT INTO runs (id, name, created, status, config) VALUES (?, ?, ?, 'queued', ?)",
                                     (run_id, name or run_id, time.time(), json.dumps(config))))
        return run_id

    def _row(self, row: sqlite3.Row) -> Run:
        d = dict(row)
        d["config"] = json.loads(d["config"])
        d["results"] = json.loads(d["results"]) if d["results"] else None
        d["cancel"] = bool(d["cancel"])
        return Run(**d)

    def get(self, run_id: str) -> Run:
        self.reconcile(run_id)
        row = self._do(lambda c: c.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())
        if row is None:
            raise UnknownRun(f"no run {run_id!r}; `unlearn runs` lists them")
        return self._row(row)

    def folder_of(self, run_id: str) -> Path:
        """The folder of stored run ``run_id`` (not created here); UnknownRun naming this store when it has no
        such run. What the orchestration hands a method as ``Context.run_folder`` to reuse another run's files."""
        try:
            self.get(run_id)
        except UnknownRun:
            raise UnknownRun(f"no run {run_id!r} in the run store ({self.db})") from None
        return self.runs_root / run_id

    def list(self, limit: int = 200, status: str | None = None) -> list[Run]:
        self.reconcile()
        query, args = "SELECT * FROM runs", []
        if status:
            query, args = query + " WHERE status = ?", [status]
        rows = self._do(lambda c: c.execute(query + " ORDER BY created DESC LIMIT ?", (*args, limit)).fetchall())
        return [self._row(r) for r in rows]

    def set_pid(self, run_id: str, pid: int, started: float | None = None) -> None:
        """Record the worker's pid with its start time (looked up now unless given)."""
        started = process_started(pid) if started is None else started
        self._do(lambda c: c.execute("UPDATE runs SET pid = ?, pid_started = ?, heartbeat = ? WHERE id = ?",
                                     (pid, started, time.time(), run_id)))

    def mark_running(self, run_id: str, pid: int, device: str) -> None:
        now, started = time.time(), process_started(pid)
        self._do(lambda c: c.execute(
            "UPDATE runs SET status='running', started=?, heartbeat=?, pid=?, pid_started=?, device=? WHERE id=?",
            (now, now, pid, started, device, run_id)))

    def beat(self, run_id: str, wait: float | None = None) -> None:
        self._do(lambda c: c.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id)), wait)

    def finish(self, run_id: str, status: str, results: dict | None = None, error: str | None = None) -> None:
        if status not in STATUSES or status in ACTIVE:
            raise ValueError(f"finish: {status!r} is not a final status")
        doc = json.dumps(results) if results is not None else None
        self._do(lambda c: c.execute("UPDATE runs SET status=?, finished=?, results=?, error=? WHERE id=?",
                                     (status, time.time(), doc, error, run_id)))

    def add_event(self, run_id: str, stage: str, step: int, total: int, metrics: dict, wait: float | None = None) -> None:
        def work(c: sqlite3.Connection) -> None:
            c.execute("INSERT INTO events (run_id, ts, stage, step, total, metrics) VALUES (?, ?, ?, ?, ?, ?)",
                      (run_id, time.time(), stage, step, total, json.dumps(metrics)))
            c.execute("UPDATE runs SET heartbeat = ? WHERE id = ?", (time.time(), run_id))

        self._do(work, wait)

    def events(self, run_id: str, after: int = 0) -> list[Event]:
        rows = self._do(lambda c: c.execute("SELECT seq, ts, stage, step, total, metrics FROM events "
                                            "WHERE run_id = ? AND seq > ? ORDER BY seq", (run_id, after)).fetchall())
        return [Event(r["seq"], r["ts"], r["stage"], r["step"], r["total"], json.loads(r["metrics"])) for r in rows]

    def request_cancel(self, run_id: str, wait: float | None = None) -> None:
        self.get(run_id)
        self._do(lambda c: c.execute("UPDATE runs SET cancel = 1 WHERE id = ?", (run_id,)), wait)

    def cancel_requested(self, run_id: str) -> bool:
        row = self._do(lambda c: c.execute("SELECT cancel FROM runs WHERE id = ?", (run_id,)).fetchone())
        return bool(row and row["cancel"])

    def worker(self, run_id: str) -> psutil.Process | None:
        """The run's worker process if it is still the very process that was recorded (pid and start
        time both match), else None: never a later process that was given the same pid."""
        run = self.get(run_id)
        if not run.active or not same_process(run.pid, run.pid_started):
            return None
        try:
            return psutil.Process(run.pid)
        except psutil.Error:
            return None

    def delete(self, run_id: str) -> None:
        """Remove the run's row, events and files. An active run must be cancelled first."""
        if self.get(run_id).active:
            raise ValueError(f"run {run_id} is still {self.get(run_id).status}; cancel it before deleting")

        def work(c: sqlite3.Connection) -> None:
            c.execute("DELETE FROM events WHERE run_id = ?", (run_id,))
            c.execute("DELETE FROM runs WHERE id = ?", (run_id,))

        self._do(work)
        shutil.rmtree(self.runs_root / run_id, ignore_errors=True)

    def reconcile(self, run_id: str | None = None) -> None:
        """Mark ``lost`` every active run whose worker is gone: its pid no longer names the process
        that started at the recorded time, or its heartbeat went stale (see :func:`lost_reason`).
        A run whose cancel was requested is marked ``cancelled`` instead: the user got what they asked.

        Best-effort: while another process holds the write lock the marking waits for a later look."""
        query = "SELECT id, pid, pid_started, heartbeat, created, cancel FROM runs WHERE status IN ('queued', 'running')"
        args: tuple = ()
        if run_id:
            query, args = query + " AND id = ?", (run_id,)
        rows = self._do(lambda c: c.execute(query, args).fetchall())
        now = time.time()
        for r in rows:
            reason = lost_reason(r["pid"], r["pid_started"], r["heartbeat"] or r["created"], now)
            if reason is None:
                continue
            status = "lost"
            if r["cancel"]:  # asked to stop and stopped, if before it could say so (e.g. killed while starting)
                status, reason = "cancelled", "cancelled by the user (the worker stopped before it could record it)"
            try:
                self._do(lambda c: c.execute("UPDATE runs SET status=?, finished=?, error=? "
                                             "WHERE id=? AND status IN ('queued','running')",
                                             (status, r["heartbeat"] or now, reason, r["id"])), wait=1.0)
            except StoreLocked:
                pass


def stored_run_folder(run_id: str) -> Path:
    """:meth:`RunStore.folder_of` in the default store (``$UNLEARN_HOME``), opened only when a method asks:
    the lookup handed to methods by callers that run scenarios outside a stored run (sweep trials, tunes)."""
    return RunStore().folder_of(run_id)


def lost_reason(pid: int | None, started: float | None, beat: float, now: float) -> str | None:
    """Why an active run counts as lost, or None while its worker may still be working.

    A recorded start time makes the pid check exact; then only a very long silence (HUNG_SECONDS)
    marks a live worker lost, since a busy store can delay beats for a while. Without a start time
    (no pid yet, or a row from before start times were kept) a silence of STALE_SECONDS does."""
    silent = now - beat
    if started is not None:
        if not same_process(pid, started):
            return LOST_ERROR
        return HUNG_ERROR if silent > HUNG_SECONDS else None
    if pid and process_started(pid) is None:
        return LOST_ERROR
    return LOST_ERROR if silent > STALE_SECONDS else None
