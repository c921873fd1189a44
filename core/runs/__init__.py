"""Runs: the SQLite store, the detached worker and its launcher."""

from core.runs.launcher import cancel, launch
from core.runs.store import STATUSES, Event, Run, RunStore, StoreError, UnknownRun

__all__ = ["STATUSES", "Event", "Run", "RunStore", "StoreError", "UnknownRun", "cancel", "launch"]
