"""Start runs as detached worker processes, and cancel them.

The worker is its own process session, so it survives a browser refresh, closing the dashboard
or restarting it; its output goes to ``runs/<id>/worker.log``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from core.runs.store import RunStore


def launch(store: RunStore, config: dict, name: str = "") -> str:
    """Insert a queued run and start ``python -m core.runs.worker RUN_ID`` detached from us."""
    from core.config import scenario_from_dict

    scenario = scenario_from_dict(config)  # refuse an invalid config before anything is stored
    run_id = store.create(scenario.to_dict(), name or scenario.title())
    log = open(store.run_dir(run_id) / "worker.log", "ab")
    env = dict(os.environ, UNLEARN_HOME=str(store.db.parent), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "core.runs.worker", run_id], stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True, env=env)
    log.close()
    store.set_pid(run_id, proc.pid)
    return run_id


def cancel(store: RunStore, run_id: str) -> None:
    """Ask a run to stop: a flag its progress reports check, plus SIGTERM to its worker."""
    run = store.get(run_id)
    if not run.active:
        return
    store.request_cancel(run_id)
    if run.pid:
        try:
            os.kill(run.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
