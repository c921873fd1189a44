"""Run a scenario in this process as a stored run and print its outcome (``unlearn run``, ``demo``, ``tune --launch``).

Its own module so that ``unlearn tune`` (:mod:`core.tune.command`) can launch its best setting the way
``unlearn run`` does without importing the CLI's entry point (:mod:`core.cli.main` imports the tune
command to register it: importing it back would close a circle).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.cli.table import format_table, headline, outcome_lines


def execute_and_print(scenario_dict: dict, name: str, json_path: str | None) -> int:
    """Store the scenario as a run, execute it here with a tqdm bar, print the table; returns the exit code."""
    from core.cli.progress import TqdmProgress
    from core.runs import RunStore
    from core.runs.signals import EXIT_CANCELLED, cancel_on_signals
    from core.runs.worker import execute

    store = RunStore()
    with cancel_on_signals() as flag:  # Ctrl-C and SIGTERM cancel the run, as they do a detached worker
        run_id = store.create(scenario_dict, name)
        bar = TqdmProgress()
        try:
            status = execute(store, run_id, extra_progress=bar, flag=flag)
        finally:
            bar.close()
    run = store.get(run_id)
    print(f"run {run_id}: {status}")
    if status == "cancelled":
        print(f"{run.error}; the run is kept as cancelled", file=sys.stderr)
        return EXIT_CANCELLED
    if status != "succeeded":
        print(f"error: {headline(run.error or status)} (the traceback: unlearn show {run_id})", file=sys.stderr)
        return 1
    _print_results(run_id, run.results, json_path)
    return 0


def _print_results(run_id: str, results: dict, json_path: str | None) -> None:
    """A succeeded run's table, verdict and warnings, and its document written to ``json_path`` when given."""
    print(format_table(results["results"]))
    print(outcome_lines(results))
    for warning in results.get("warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    if json_path:
        doc = {"run_id": run_id, **results}
        Path(json_path).write_text(json.dumps(doc, indent=2))
        print(f"wrote {json_path}")
