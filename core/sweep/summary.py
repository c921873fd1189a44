"""A sweep's trial table: one row per trial (its axis values, the latest run's status and final metrics).

Read by ``unlearn`` and the dashboard's Sweeps page alike; the axis values are recomputed from the
stored spec, so a row names its trial even before its run has results."""

from __future__ import annotations

from core.runs.store import Run
from core.sweep.spec import SweepSpec
from core.sweep.store import Sweep, SweepStore
from core.sweep.trials import expand

METRICS = ("test_acc", "forgetting_score", "nomus", "mia_acc", "retain_acc", "forget_acc", "seconds")


def spec_of(sweep: Sweep) -> SweepSpec:
    s = sweep.spec
    return SweepSpec(base=s["base"], axes=s["axes"], mode=s.get("mode", "grid"),
                     resources=s.get("resources") or {"num_cpus": 1.0, "num_gpus": 0.0},
                     name=s.get("name") or "", cache=s.get("cache"))


def _metrics(run: Run | None) -> dict:
    rows = (run.results or {}).get("results") if run else None
    return dict(rows[-1]["metrics"]) if rows else {}


def trial_rows(sweeps: SweepStore, sweep_id: str) -> list[dict]:
    """``{"trial", "run_id", "status", <axis>: value ..., <metric>: value ...}`` per trial, in trial order."""
    sweep = sweeps.get(sweep_id)
    if sweep is None:
        return []
    latest = sweeps.latest(sweep_id)
    rows = []
    for t in expand(spec_of(sweep)):
        run = latest.get(t.key)
        metrics = _metrics(run)
        rows.append({"trial": t.index, "run_id": run.id if run else None, "status": run.status if run else "not run",
                     **{axis: value for axis, value in t.overrides.items()},
                     **{m: metrics.get(m) for m in METRICS},
                     "error": (run.error or "").split("\n\n", 1)[0] if run else ""})
    return rows
