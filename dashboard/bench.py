"""Page render timing: ``python -m dashboard.bench [--runs 50]``.

Fills a private store with one real tiny run (trained here, on the CPU) copied ``--runs`` times
(config, events and results of the real run, so every number on the pages is a computed one),
then times each page's first render with Streamlit's AppTest and the store read the live chart
makes on each poll. Then it launches a real detached worker and measures how late its epoch
events reach a reader polling at the live chart's interval (worst case = the poll interval plus
the store read), and how long the run page takes to redraw with the live run.
The goal: every page under 2 s with 50 runs; the live chart lags the worker by at most 2 s.
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


def _tiny_live_config() -> dict:
    """A run long enough to emit a dozen epoch events (CPU, a few seconds each)."""
    return {"name": "lag", "dataset": {"name": "synthfaces", "options": {"n_identities": 16, "images_per_identity": 8}},
            "task": "Eyeglasses", "forget": {"kind": "identities", "count": 2},
            "method": {"name": "finetune", "params": {"epochs": 12}}, "train": {"epochs": 1},
            "split": {"test_fraction": 0.25, "unseen_fraction": 0.25}, "evaluation": {"attacker": "linear"},
            "device": "cpu"}


def measure_lag(store, poll: float, timeout: float = 300.0) -> tuple[list[float], float | None]:
    """Seconds between each epoch event's write by a real worker and a poller's first sight of it, and
    the run page's redraw time while the run is live (AppTest, one poll)."""
    from streamlit.testing.v1 import AppTest

    from core.runs import launch

    run_id = launch(store, _tiny_live_config())
    seen, lags, redraw = 0, [], None
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(poll)
        now = time.time()
        events = store.events(run_id, after=seen)
        lags += [now - e.ts for e in events if e.stage == "unlearn"]
        seen = events[-1].seq if events else seen
        if redraw is None and lags:
            at = AppTest.from_file(str(APP), default_timeout=120)
            at.query_params["run"] = run_id
            at.switch_page("views/run.py")
            at.run()
            start = time.perf_counter()
            at.run()  # a second pass: what each poll costs once the page's imports are warm
            redraw = time.perf_counter() - start
        if not store.get(run_id).active:
            break
    return lags, redraw


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
        from dashboard.components.run_panel import POLL_SECONDS

        lags, redraw = measure_lag(store, POLL_SECONDS)
        if lags:
            print(f"live events from a real worker, polled every {POLL_SECONDS:.1f} s: {len(lags)} seen, "
                  f"lag median {sorted(lags)[len(lags) // 2]:.2f} s, max {max(lags):.2f} s")
        print(f"run page redraw with the live run: {redraw:.2f} s" if redraw is not None else "no live redraw measured")


if __name__ == "__main__":
    main()
