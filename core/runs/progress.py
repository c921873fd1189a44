"""The worker's progress callback: records each event in the store and turns a cancel into ``Cancelled``.

A cancel arrives two ways: the store's cancel flag (set by ``unlearn cancel`` or the dashboard) and
a signal (SIGTERM/Ctrl-C), which :mod:`core.runs.signals` turns into a :class:`CancelFlag` only.
Here, outside any signal handler and any store transaction, the signal's cancel is written to the
store and ``Cancelled`` raised. Event writes are best-effort: a store that stays locked past its
bounded wait costs the live chart a point (with a line in the worker's log), never the run.
"""

from __future__ import annotations

import math
import sys
import time

from core.progress import Cancelled
from core.runs.signals import CancelFlag
from core.runs.store import RunStore, StoreError

POLL_SECONDS = 0.5  # how often a poll between reports reads the store's cancel flag
RETRY_AFTER_DROP_SECONDS = 1.0  # once an event was dropped, later ones wait only this long for the lock


class StoreProgress:
    """Writes ``(stage, step, total, metrics)`` events; raises Cancelled once cancel is requested."""

    def __init__(self, store: RunStore, run_id: str, flag: CancelFlag | None = None) -> None:
        self.store = store
        self.run_id = run_id
        self.flag = flag if flag is not None else CancelFlag()
        self.dropped = 0  # events not recorded in all
        self._failing = False  # the last event write failed: the next one waits less
        self._polled = 0.0

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        self._stop_on_signal()
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else float(v)) for k, v in metrics.items()}
        self._record(stage, step, total, clean)
        self._stop_on_signal()
        if self.store.cancel_requested(self.run_id):
            raise Cancelled(f"run {self.run_id} was cancelled")

    def poll(self) -> None:
        """Between reports (each batch of a long loop, via :func:`core.progress.poll`): stop on a signal
        at once, on the store's flag within POLL_SECONDS; records nothing, so it is cheap to call often."""
        self._stop_on_signal()
        now = time.monotonic()
        if now - self._polled >= POLL_SECONDS:
            self._polled = now
            if self.store.cancel_requested(self.run_id):
                raise Cancelled(f"run {self.run_id} was cancelled")

    def _stop_on_signal(self) -> None:
        if not self.flag:
            return
        try:
            self.store.request_cancel(self.run_id, wait=RETRY_AFTER_DROP_SECONDS)  # so whoever looks sees it
        except StoreError:
            pass
        raise Cancelled(f"run {self.run_id} was cancelled ({self.flag.signal_name})")

    def _record(self, stage: str, step: int, total: int, metrics: dict) -> None:
        wait = RETRY_AFTER_DROP_SECONDS if self._failing else None
        try:
            self.store.add_event(self.run_id, stage, step, total, metrics, wait=wait)
        except StoreError as exc:
            self.dropped += 1
            self._failing = True
            print(f"warning: progress event {stage} {step}/{total} not recorded ({exc})", file=sys.stderr, flush=True)
            return
        self._failing = False
