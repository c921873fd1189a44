"""What a Ray worker runs for a sweep: the reference models of a (scenario, seed), and one trial.

Workers never touch the run store (on a cluster it lives on the driver's machine): a trial returns
its results document, its progress events and the files it wrote, and the driver records them.
The reference models are trained once per group of trials that share them (same data, split,
model, training and seed) and travel as their cache files through Ray's object store, so a worker
on any node finds them in its cache and loads them instead of retraining; on one machine (or a
shared ``cache`` path) the files are already there and nothing is copied.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path

REFERENCES = (("original", "train"), ("gold", "retain"))  # pipeline.prepare's stages and the split each trains on


def reference_group(scenario: dict) -> str:
    """Trials with the same group share the original and gold models: all but method, name and evaluation."""
    shared = {k: v for k, v in scenario.items() if k not in ("method", "name", "evaluation")}
    return hashlib.sha256(json.dumps(shared, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _threads(num_cpus: float) -> None:
    import torch

    torch.set_num_threads(max(1, int(num_cpus)))


def prepare_references(scenario: dict, cache: str, num_cpus: float = 1.0) -> dict[str, bytes]:
    """Train (or load) the scenario's original and gold models into ``cache``; returns their cache
    files (``models/<stage>-<key>.pt`` and ``.json``, relative to the cache) as bytes."""
    from core.config import scenario_from_dict
    from core.pipeline.model_cache import reference_key
    from core.pipeline.prepared import prepare

    _threads(num_cpus)
    sc = scenario_from_dict(scenario)
    prep = prepare(sc, cache=Path(cache))
    files = {}
    for stage, split in REFERENCES:
        key = reference_key(sc, prep.splits, prep.splits.index(split))
        for suffix in (".pt", ".json"):  # the weights first: the .json marks a cache entry complete
            rel = f"models/{stage}-{key}{suffix}"
            path = Path(cache) / rel
            if path.exists():
                files[rel] = path.read_bytes()
    return files


def install_references(cache: Path, files: dict[str, bytes]) -> None:
    """Put reference cache files where this worker's pipeline looks, unless they are there already."""
    from core.paths import atomic_write

    for rel, data in files.items():
        path = cache / rel
        if not path.exists():
            atomic_write(path, lambda tmp, data=data: tmp.write_bytes(data))


class EventLog:
    """A progress callback that keeps every event for the driver to record (as StoreProgress would)."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        clean = {k: (None if isinstance(v, float) and math.isnan(v) else float(v)) for k, v in metrics.items()}
        self.events.append({"ts": time.time(), "stage": stage, "step": int(step), "total": int(total), "metrics": clean})


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _where() -> dict:
    """Which Ray node, host and process ran the trial (kept in its results as provenance)."""
    import ray

    return {"node_id": ray.get_runtime_context().get_node_id(), "host": os.uname().nodename, "pid": os.getpid()}


def run_trial(scenario: dict, cache: str, references: dict[str, bytes], num_cpus: float = 1.0) -> dict:
    """Run one trial through ``run_scenario`` (the pipeline every run uses) in a temporary folder.

    Returns ``status`` (succeeded/failed), ``results`` or ``error``, ``events``, ``files`` (the run
    folder's contents), ``workdir`` (to rewrite paths), ``worker`` (node, host, pid), ``device``,
    ``started``, ``finished``."""
    from core.config import scenario_from_dict
    from core.error_text import error_text
    from core.pipeline import run_scenario
    from core.runs.store import stored_run_folder
    from core.training import pick_device

    _threads(num_cpus)
    log = EventLog()
    workdir = Path(tempfile.mkdtemp(prefix="unlearn-trial-"))
    out = {"started": time.time(), "workdir": str(workdir), "worker": _where()}
    try:
        install_references(Path(cache), references)
        sc = scenario_from_dict(scenario)
        device = pick_device(sc.device)  # picked once: recorded on the trial and used by the pipeline
        out["device"] = str(device)
        out["results"] = run_scenario(sc, log, workdir=workdir, cache=Path(cache), device=device,
                                      run_folder=stored_run_folder)
        out["status"] = "succeeded"
    except Exception as exc:  # recorded as the trial's error; the sweep goes on
        out["status"], out["error"] = "failed", error_text(exc)
    out.update(finished=time.time(), events=log.events, files=_files(workdir))
    shutil.rmtree(workdir, ignore_errors=True)
    return out
