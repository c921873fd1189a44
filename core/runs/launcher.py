"""Start runs as detached worker processes, and cancel them.

The worker is its own process session, so it survives a browser refresh, closing the dashboard
or restarting it; its output goes to ``runs/<id>/worker.log``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import psutil

from core.runs.store import RunStore

if TYPE_CHECKING:
    from core.config import Scenario


def launch(store: RunStore, scenario: Scenario, name: str = "") -> str:
    """Insert a queued run of ``scenario`` and start ``python -m core.runs.worker RUN_ID`` detached from us.

    The scenario is serialised once here (``to_dict``) for the store, and checked by rebuilding it from
    that very dict (what the worker will do), so an invalid one — a ``dataclasses.replace`` can make
    one — is refused before anything is stored; the worker rebuilds the dataclass once from the row."""
    from core.config import Scenario, scenario_from_dict

    if not isinstance(scenario, Scenario):
        raise TypeError(f"launch takes a Scenario, not {type(scenario).__name__}; build one with "
                        "core.config.scenario_from_dict (or load_scenario / default_scenario)")
    config = scenario.to_dict()
    scenario_from_dict(config)  # raises ConfigError naming the field
    run_id = store.create(config, name or scenario.title())
    log = open(store.run_dir(run_id) / "worker.log", "ab")
    env = dict(os.environ, UNLEARN_HOME=str(store.db.parent), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "core.runs.worker", run_id], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    log.close()
    store.set_pid(run_id, proc.pid)  # with its start time, read now while the child cannot have been reaped
    return run_id


def cancel(store: RunStore, run_id: str) -> None:
    """Ask a run to stop: a flag its progress reports check, plus SIGTERM to its worker — only when the
    pid still names the process recorded at launch (same start time), never a later owner of that pid."""
    if not store.get(run_id).active:
        return
    store.request_cancel(run_id)
    worker = store.worker(run_id)
    if worker is not None:
        try:
            worker.terminate()  # psutil re-checks the process's identity before sending SIGTERM
        except psutil.Error:
            pass
