"""Page render timing: ``python -m dashboard.bench [--runs 50]``.

Fills a private store with one real tiny run (trained here, on the CPU) copied ``--runs`` times
(config, events and results of the real run, so every number on the pages is a computed one),
then times each page's first render with Streamlit's AppTest and the store read the live chart
makes on each poll. The goal: every page under 2 s with 50 runs; the live chart lags the worker by
at most its poll interval plus that read.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
VIEWS = APP.parent / "views"


def _fill_store(n_runs: int):
    from core.runs import RunStore
    from core.runs.worker import execute

    store = RunStore()
    tiny = {"name": "bench", "dataset": {"name": "synthfaces", "options": {"n_identities": 16, "images_per_identity": 8}},
            "task": "Eyeglasses", "forget": {"kind": "identities", "count": 2},
            "method": {"name": "finetune", "params": {"epochs": 3}}, "train": {"epochs": 2},
            "split": {"test_fraction": 0.25, "unseen_fraction": 0.25}, "device": "cpu"}
    real = store.create(tiny, "bench")
    assert execute(store, real) == "succeeded", store.get(real).error
    run, events = store.get(real), store.events(real)
    for _ in range(n_runs - 1):
        rid = store.create(run.config, run.name)
        store.mark_running(rid, os.getpid(), "cpu")
        for e in events:
            store.add_event(rid, e.stage, e.step, e.total, e.metrics)
        store.finish(rid, "succeeded", results=run.results)
    return store, real


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["UNLEARN_HOME"] = home
        from streamlit.testing.v1 import AppTest

        store, run_id = _fill_store(args.runs)
        print(f"{args.runs} runs in the store; first render per page (AppTest, seconds):")
        for page in sorted(VIEWS.glob("*.py")):
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.query_params["run"] = run_id
            at.switch_page(f"views/{page.name}")
            start = time.perf_counter()
            at.run()
            print(f"  {page.stem:<10} {time.perf_counter() - start:6.2f}  {'(error)' if at.exception else ''}")
        start = time.perf_counter()
        for _ in range(20):
            store.get(run_id), store.events(run_id)
        print(f"store read per live-chart poll: {(time.perf_counter() - start) / 20 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
