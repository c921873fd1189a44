"""The worker's progress callback: records each event in the store and turns a cancel into ``Cancelled``."""

from __future__ import annotations

import math

from core.progress import Cancelled
from core.runs.store import RunStore


class StoreProgress:
    """Writes ``(stage, step, total, metrics)`` events; raises Cancelled once cancel is requested."""

    def __init__(self, store: RunStore, run_id: str) -> None:
        self.store = store
        self.run_id = run_id
        self.signalled = False

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else float(v)) for k, v in metrics.items()}
        self.store.add_event(self.run_id, stage, step, total, clean)
        if self.signalled or self.store.cancel_requested(self.run_id):
            raise Cancelled(f"run {self.run_id} was cancelled")
