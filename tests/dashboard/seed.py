"""Runs shaped like real ones, inserted into the store by hand: pages and charts tested without training."""

from __future__ import annotations

import copy

from core.config import DEFAULT_SCENARIO
from core.runs import RunStore

LIVE = [(0.60, 0.80, 0.50), (0.62, 0.70, 0.61), (0.65, 0.55, 0.78)]  # test_acc, mia_acc, nomus per epoch
RESULTS = [("original", 0.70, 0.80, 0.55), ("gold", 0.69, 0.52, 0.83), ("finetune", 0.71, 0.60, 0.76)]


def seed_run(store: RunStore, status: str, epochs: int = 3, pid: int = 999_999, error: str | None = None) -> str:
    """A run shaped like a finetune run of the default scenario, stopped after ``epochs`` unlearning epochs
    (each also followed by a loss-only event of a second method stage, as multi-phase methods report).

    ``status`` running keeps it active (``pid`` must then be a live process); succeeded adds results."""
    config = copy.deepcopy(DEFAULT_SCENARIO)
    run_id = store.create(config, f"finetune · {config['name']}")
    store.mark_running(run_id, pid, "cpu")
    store.add_event(run_id, "data", 1, 1, {"n_train": 1260.0})
    for stage in ("original", "gold"):
        for step in (1, 2):
            store.add_event(run_id, stage, step, 2, {"loss": 1.0 / step})
    for step, (acc, mia, nomus) in enumerate(LIVE[:epochs], start=1):
        store.add_event(run_id, "unlearn", step, 3, {"test_acc": acc, "mia_acc": mia, "nomus": nomus})
        store.add_event(run_id, "fine-tuning", step, 3, {"loss": 0.3})
    if status == "running":
        return run_id
    results = None
    if status == "succeeded":
        results = {"scenario": config, "results": [
            {"model": m, "metrics": {"test_acc": a, "mia_acc": mia, "nomus": n, "seconds": 1.0}} for m, a, mia, n in RESULTS]}
    store.finish(run_id, status, results=results, error=error)
    return run_id
