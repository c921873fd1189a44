"""``unlearn bench demo``: wall time of ``unlearn demo`` from a cold cache and with models cached.

The walking-skeleton goal: on a 2-core CPU, at most 120 s cold (data generation and both
trainings included) and at most 30 s with the original and gold models cached. Each trial runs
what ``unlearn demo`` runs — a stored run executed by the worker's ``execute``, saliency audit and
store writes included — in a fresh ``UNLEARN_HOME``, first cold, then again with its cache warm.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import contextmanager
from typing import Iterator

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.validation import seed_plan, seeds_doc, seeds_markdown
from core.config import default_scenario
from core.paths import home_at


@contextmanager
def fresh_home() -> Iterator[str]:
    """A temporary ``UNLEARN_HOME`` (empty store and cache) for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="demo-bench-") as tmp, home_at(tmp):
        yield tmp


def timed_demo_run(scenario: dict, name: str) -> tuple[float, dict]:
    """Seconds of one ``unlearn demo``-style run (store row + worker ``execute``) and its results."""
    from core.runs import RunStore
    from core.runs.worker import execute

    store = RunStore()
    run_id = store.create(scenario, name)
    start = time.perf_counter()
    status = execute(store, run_id)
    seconds = time.perf_counter() - start
    run = store.get(run_id)
    if status != "succeeded":
        raise RuntimeError(f"bench demo: the demo run {status}: {run.error}")
    return seconds, run.results


@BENCHES.register("demo", "seconds for `unlearn demo`'s scenario: cold cache vs models cached")
def demo_bench(args: BenchArgs) -> BenchResult:
    sc = default_scenario(**({"device": args.options["device"]} if "device" in args.options else {}))
    rows = []
    plan = seed_plan(args.seeds, 0)  # a timing: nothing to choose
    for seed in plan["report"]:
        with fresh_home():
            times = {}
            for label in ("cold", "cached"):
                times[label], results = timed_demo_run(sc.to_dict(), sc.title())
            rows.append({"seed": seed, **times, "nomus": results["results"][-1]["metrics"]["nomus"]})
    md = "| run | cold cache (s) | models cached (s) |\n| --- | --- | --- |\n"
    md += "".join(f"| {r['seed']} | {r['cold']:.1f} | {r['cached']:.1f} |\n" for r in rows)
    md += "\nGoal on a 2-core CPU: cold ≤ 120 s, cached ≤ 30 s (the saliency audit and store writes included).\n"
    md += seeds_markdown(plan, {}, why="a timing of the default scenario as shipped")
    return BenchResult({"scenario": sc.to_dict(), "seeds": seeds_doc(plan, []), "chosen": {}, "runs": rows}, md)
