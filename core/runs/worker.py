"""The detached worker: ``python -m core.runs.worker RUN_ID`` executes one stored run.

It marks the run running, beats a heartbeat, records progress events, and finishes the row as
succeeded (with results), failed (with the error text kept) or cancelled. SIGTERM (and Ctrl-C) is a
cancel: :mod:`core.runs.signals` turns it into a flag the progress reporter acts on. The handlers
go in before torch is imported, so a cancel sent while the worker is still starting is kept too.
"""

from __future__ import annotations

import os
import sys
import threading

from core.error_text import error_text
from core.progress import Cancelled, Progress, Tee, cancellable
from core.runs.progress import StoreProgress
from core.runs.signals import CancelFlag, cancel_on_signals
from core.runs.store import RunStore

HEARTBEAT_SECONDS = 2.0


def _heartbeat(store: RunStore, run_id: str, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            store.beat(run_id, wait=HEARTBEAT_SECONDS)
        except Exception:  # a busy database must not kill the run; the next beat retries
            pass


def execute(store: RunStore, run_id: str, extra_progress: Progress | None = None,
            flag: CancelFlag | None = None) -> str:
    """Run a stored scenario to completion in this process; returns the final status.

    ``flag`` is the cancel flag of :func:`core.runs.signals.cancel_on_signals` when the caller
    installed the signal handlers; the progress reporter stops the run once it is set."""
    from core.config import scenario_from_dict
    from core.pipeline import run_scenario
    from core.training import pick_device

    run = store.get(run_id)
    progress = StoreProgress(store, run_id, flag)
    stop = threading.Event()
    try:
        scenario = scenario_from_dict(run.config)  # the one rebuild of the dataclass launch() serialised
        device = pick_device(scenario.device)  # picked once: recorded on the run and used by the pipeline
        store.mark_running(run_id, os.getpid(), str(device))
        threading.Thread(target=_heartbeat, args=(store, run_id, stop), daemon=True).start()
        cb = Tee(progress, extra_progress) if extra_progress else progress
        progress.poll()  # a cancel that came while starting up
        with cancellable(progress.poll):  # every batch of every stage checks for a cancel
            results = run_scenario(scenario, cb, workdir=store.run_dir(run_id), device=device,
                                   run_folder=store.folder_of)  # a method may reuse a stored run's files
        if progress.dropped:
            results.setdefault("warnings", []).append(
                f"{progress.dropped} progress events could not be recorded (runs.db stayed locked); the live chart misses them")
        store.finish(run_id, "succeeded", results=results)
    except Cancelled:
        how = f" ({flag.signal_name})" if flag else ""
        store.finish(run_id, "cancelled", error=f"cancelled by the user{how}")
    except Exception as exc:
        store.finish(run_id, "failed", error=error_text(exc))
    finally:
        stop.set()
    return store.get(run_id).status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m core.runs.worker RUN_ID", file=sys.stderr)
        return 2
    with cancel_on_signals() as flag:
        status = execute(RunStore(), argv[0], flag=flag)
    print(f"run {argv[0]}: {status}", flush=True)  # the last line of worker.log
    return 0 if status in ("succeeded", "cancelled") else 1


if __name__ == "__main__":
    sys.exit(main())
