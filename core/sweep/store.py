"""Sweeps in the run store: a ``sweeps`` table beside ``runs``, and each trial a normal run tagged with it.

A trial is an ordinary row of ``runs`` (so Runs, Compare, Audit and reports see it like any other
run) whose ``sweep`` and ``trial`` columns say which sweep and which trial it is. The ``sweeps``
table holds the spec, its status and the cancel flag the driver polls. All access goes through
:class:`core.runs.store.RunStore`'s bounded, retrying transactions.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from core.runs.store import Run, RunStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, created REAL NOT NULL, started REAL, finished REAL,
    status TEXT NOT NULL, spec TEXT NOT NULL, cancel INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS runs_sweep ON runs(sweep, created);
"""


@dataclass
class Sweep:
    id: str
    name: str
    created: float
    started: float | None
    finished: float | None
    status: str  # running, finished, cancelled
    spec: dict
    cancel: bool


class SweepStore:
    """Sweep rows and the trial runs that belong to them, in the same runs.db as every run."""

    def __init__(self, runs: RunStore | None = None) -> None:
        self.runs = runs or RunStore()
        self.runs._do(lambda c: c.executescript(_SCHEMA))

    def start(self, sweep_id: str, name: str, spec: dict) -> None:
        """Insert the sweep (or take up an existing one again): running, cancel flag cleared."""
        now = time.time()

        def work(c: sqlite3.Connection) -> None:
            c.execute("INSERT OR IGNORE INTO sweeps (id, name, created, status, spec) VALUES (?, ?, ?, 'running', ?)",
                      (sweep_id, name, now, json.dumps(spec)))
            c.execute("UPDATE sweeps SET status='running', started=?, finished=NULL, cancel=0, name=?, spec=? "
                      "WHERE id=?", (now, name, json.dumps(spec), sweep_id))

        self.runs._do(work)

    def finish(self, sweep_id: str, status: str) -> None:
        self.runs._do(lambda c: c.execute("UPDATE sweeps SET status=?, finished=? WHERE id=?",
                                          (status, time.time(), sweep_id)))

    def get(self, sweep_id: str) -> Sweep | None:
        row = self.runs._do(lambda c: c.execute("SELECT * FROM sweeps WHERE id=?", (sweep_id,)).fetchone())
        return None if row is None else _sweep(row)

    def list(self) -> list[Sweep]:
        rows = self.runs._do(lambda c: c.execute("SELECT * FROM sweeps ORDER BY created DESC").fetchall())
        return [_sweep(r) for r in rows]

    def request_cancel(self, sweep_id: str) -> None:
        self.runs._do(lambda c: c.execute("UPDATE sweeps SET cancel=1 WHERE id=?", (sweep_id,)))

    def cancel_requested(self, sweep_id: str) -> bool:
        row = self.runs._do(lambda c: c.execute("SELECT cancel FROM sweeps WHERE id=?", (sweep_id,)).fetchone())
        return bool(row and row["cancel"])

    def tag(self, run_id: str, sweep_id: str, trial_key: str) -> None:
        self.runs._do(lambda c: c.execute("UPDATE runs SET sweep=?, trial=? WHERE id=?", (sweep_id, trial_key, run_id)))

    def trial_runs(self, sweep_id: str) -> list[Run]:
        """Every run of the sweep, oldest first (a trial re-run after a failure has several)."""
        self.runs.reconcile()
        rows = self.runs._do(lambda c: c.execute("SELECT * FROM runs WHERE sweep=? ORDER BY created, id",
                                                 (sweep_id,)).fetchall())
        return [self.runs._row(r) for r in rows]

    def latest(self, sweep_id: str) -> dict[str, Run]:
        """Trial key -> the latest run of that trial."""
        return {r.trial: r for r in self.trial_runs(sweep_id)}

    def mark_submitted(self, run_id: str) -> None:
        """Handed to Ray: running as far as the store is concerned (the driver beats for it)."""
        now = time.time()
        self.runs._do(lambda c: c.execute("UPDATE runs SET status='running', started=?, heartbeat=? WHERE id=?",
                                          (now, now, run_id)))

    def set_worker_facts(self, run_id: str, started: float, finished: float, device: str | None) -> None:
        """The times and device the Ray worker reported (the trial's own duration, not its wait in the queue)."""
        self.runs._do(lambda c: c.execute("UPDATE runs SET started=?, finished=?, device=? WHERE id=?",
                                          (started, finished, device, run_id)))

    def add_events(self, run_id: str, events: list[dict]) -> None:
        """A finished trial's progress events, in one transaction, with the worker's timestamps."""
        rows = [(run_id, e["ts"], e["stage"], e["step"], e["total"], json.dumps(e["metrics"])) for e in events]
        self.runs._do(lambda c: c.executemany(
            "INSERT INTO events (run_id, ts, stage, step, total, metrics) VALUES (?, ?, ?, ?, ?, ?)", rows))

    def beat(self, sweep_id: str) -> None:
        """The driver's heartbeat for all of the sweep's queued and running trials (their 'worker' is the driver)."""
        self.runs._do(lambda c: c.execute("UPDATE runs SET heartbeat=? WHERE sweep=? AND status IN ('queued','running')",
                                          (time.time(), sweep_id)), wait=2.0)


def _sweep(row: sqlite3.Row) -> Sweep:
    d = dict(row)
    d["spec"] = json.loads(d["spec"])
    d["cancel"] = bool(d["cancel"])
    return Sweep(**d)
