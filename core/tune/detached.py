"""Start ``unlearn tune`` in its own process (the dashboard's Tune button), and read how it is doing.

Like a run's worker, the tune is a detached process session (``python -m core.cli.main tune ...``), so a
refresh or a closed tab leaves it going; its progress is the Optuna study itself (trials appear in
``tune.db`` as they finish), and ``$UNLEARN_HOME/tunes/STUDY.json`` records the process and its files.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psutil
import yaml

from core import paths
from core.tune.storage import study_name
from core.tune.validation import default_val_seeds


def tunes_dir() -> Path:
    return paths.home() / "tunes"


def launch_tune(scenario: dict, method: str, trials: int, budget: float = 0.1, val_seeds: int | None = None) -> str:
    """Validate, write the scenario file and start the tune detached; returns the study name.
    ``val_seeds`` defaults as ``unlearn tune``'s (:func:`core.tune.validation.default_val_seeds`)."""
    from core.config import scenario_from_dict

    sc = scenario_from_dict(scenario)  # refuse an invalid scenario before anything starts
    val_seeds = default_val_seeds(sc) if val_seeds is None else int(val_seeds)
    name = study_name(sc.to_dict(), method, budget, val_seeds=val_seeds)
    folder = tunes_dir()
    folder.mkdir(parents=True, exist_ok=True)
    config, out, log_path = folder / f"{name}.yaml", folder / f"{name}.result.json", folder / f"{name}.log"
    config.write_text(yaml.safe_dump(sc.to_dict(), sort_keys=False))
    cmd = [sys.executable, "-m", "core.cli.main", "tune", str(config), "--method", method, "--trials", str(int(trials)),
           "--budget", str(float(budget)), "--val-seeds", str(val_seeds), "--json", str(out)]
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=dict(os.environ, UNLEARN_HOME=str(paths.home())))
    meta = {"study": name, "method": method, "trials": int(trials), "budget": float(budget), "val_seeds": val_seeds,
            "pid": proc.pid,
            "started": psutil.Process(proc.pid).create_time(), "result": str(out), "log": str(log_path)}
    (folder / f"{name}.json").write_text(json.dumps(meta))
    return name


def tune_info(name: str) -> dict | None:
    """The recorded launch (``running`` added: whether that very process is still alive), or None."""
    path = tunes_dir() / f"{Path(name).name}.json"
    if not path.exists():
        return None
    meta = json.loads(path.read_text())
    try:
        proc = psutil.Process(meta["pid"])
        meta["running"] = abs(proc.create_time() - meta["started"]) < 1.0 and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        meta["running"] = False
    return meta


def load_study(name: str):
    """The stored study, or None while the tune has not created it yet."""
    import optuna

    from core.tune.storage import storage_url

    if not (paths.home() / "tune.db").exists():
        return None
    try:
        return optuna.load_study(study_name=name, storage=storage_url())
    except KeyError:
        return None
