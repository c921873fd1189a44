"""Run a sweep on Ray: each trial a Ray task with declared resources; the driver writes the store.

Order of work: every trial to run gets a queued run row tagged with the sweep (trials already
succeeded in an earlier run of the same sweep are skipped: resume); the reference models of each
group of trials that share them are trained once, as a Ray task of their own; each trial then runs
``run_scenario`` on a worker (its task depends on its group's references) and returns its results,
events and files, which the driver records as a normal run. While trials run the driver beats for
them, and polls the cancel flags: ``unlearn cancel SWEEP_ID`` stops every running trial (its Ray
task is cancelled, its worker process killed) and leaves the finished ones; ``unlearn cancel RUN_ID``
stops that one trial. A trial that raises is recorded as failed with its error, one whose worker
died (killed, out of memory, node lost) as lost; either way the sweep goes on.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core import paths
from core.runs.store import Run, RunStore, StoreError
from core.cluster import ray_session
from core.sweep.errors import SweepError
from core.sweep.spec import SweepSpec
from core.sweep.store import SweepStore
from core.sweep.task import prepare_references, reference_group, run_trial
from core.sweep.trials import Trial, expand

TICK_SECONDS = 0.5  # how often the driver looks at finished tasks and cancel flags
BEAT_SECONDS = 2.0
LOST_TRIAL = "the Ray worker running this trial died before returning (killed, out of memory, or its node was lost)"


@dataclass
class SweepOutcome:
    sweep: str
    trials: list[dict] = field(default_factory=list)  # run_id, overrides, status, metrics (the --json document)
    skipped: int = 0  # already succeeded before this run (resume)
    status: str = "finished"

    def to_json(self) -> dict:
        return {"sweep": self.sweep, "trials": self.trials}


def unlearned_metrics(run: Run | None) -> dict:
    """The unlearned model's final metrics (the last results row), or {} when the run has none."""
    if run is None or not run.results:
        return {}
    return dict(run.results["results"][-1]["metrics"])


class _Driver:
    """One sweep's dispatch loop; see the module docstring."""

    def __init__(self, ray, spec: SweepSpec, sweeps: SweepStore, cache: Path, max_parallel: int | None,
                 on_trial: Callable[[Trial, str], None]) -> None:
        self.ray, self.spec, self.sweeps, self.runs = ray, spec, sweeps, sweeps.runs
        self.cache, self.on_trial = cache, on_trial
        self.max_parallel = max_parallel
        self.opts = {"num_cpus": spec.resources["num_cpus"], "num_gpus": spec.resources["num_gpus"], "max_retries": 0}
        self.prepare = ray.remote(prepare_references)
        self.trial = ray.remote(run_trial)
        self.refs: dict[str, object] = {}
        self.inflight: dict[object, tuple[Trial, str]] = {}
        self.stopping: set = set()  # tasks we cancelled: whatever error they end with, they were cancelled
        self.cancelled = False

    def _references(self, trial: Trial):
        group = reference_group(trial.scenario)
        if group not in self.refs:  # once per group, shared by all its trials through the object store
            self.refs[group] = self.prepare.options(**self.opts, name="references").remote(trial.scenario, str(self.cache), self.spec.resources["num_cpus"])
        return self.refs[group]

    def _submit(self, trial: Trial, run_id: str) -> None:
        ref = self.trial.options(**self.opts, name=f"trial {run_id}").remote(
            trial.scenario, str(self.cache), self._references(trial), self.spec.resources["num_cpus"])
        self.sweeps.mark_submitted(run_id)
        self.inflight[ref] = (trial, run_id)

    def _record(self, ref) -> None:
        trial, run_id = self.inflight.pop(ref)
        ray = self.ray
        try:
            out = ray.get(ref)
        except (ray.exceptions.TaskCancelledError, ray.exceptions.RayError) if ref in self.stopping else ():
            self.runs.finish(run_id, "cancelled", error="cancelled by the user (its Ray task was cancelled)")
        except ray.exceptions.TaskCancelledError:
            self.runs.finish(run_id, "cancelled", error="cancelled by the user (its Ray task was cancelled)")
        except ray.exceptions.RayTaskError as exc:  # its references failed (Ray: "input arguments ... could
            # not be computed"), or the task could not even start (e.g. an import error on the worker)
            self.runs.finish(run_id, "failed", error=f"the trial's Ray task failed: {exc}")
        except ray.exceptions.RayError as exc:  # worker died, node lost, object lost
            self.runs.finish(run_id, "lost", error=f"{LOST_TRIAL}: {type(exc).__name__}: {exc}")
        else:
            self._write(run_id, out)
        self.on_trial(trial, self.runs.get(run_id).status)

    def _write(self, run_id: str, out: dict) -> None:
        """The worker's files into the run folder (paths in the results rewritten to it), then the row."""
        folder = self.runs.run_dir(run_id)
        for rel, data in out["files"].items():
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            (folder / rel).write_bytes(data)
        self.sweeps.add_events(run_id, out["events"])
        if out["status"] == "succeeded":
            text = json.dumps(out["results"]).replace(json.dumps(out["workdir"])[1:-1], json.dumps(str(folder))[1:-1])
            self.runs.finish(run_id, "succeeded", results={**json.loads(text), "ray_worker": out["worker"]})
        else:
            self.runs.finish(run_id, "failed", error=out["error"])
        self.sweeps.set_worker_facts(run_id, out["started"], out["finished"], out.get("device"))

    def _cancel_flags(self, pending: list[tuple[Trial, str]]) -> list[tuple[Trial, str]]:
        """Act on cancels: the sweep's flag stops everything; a trial's own flag stops that trial."""
        if self.sweeps.cancel_requested(self.spec.id):
            self.cancelled = True
        for ref, (trial, run_id) in list(self.inflight.items()):
            if ref not in self.stopping and (self.cancelled or self.runs.cancel_requested(run_id)):
                self.ray.cancel(ref, force=True)
                self.stopping.add(ref)
        kept = []
        for trial, run_id in pending:
            if self.cancelled or self.runs.cancel_requested(run_id):
                self.runs.finish(run_id, "cancelled", error="cancelled by the user before it started")
                self.on_trial(trial, "cancelled")
            else:
                kept.append((trial, run_id))
        return kept

    def loop(self, pending: list[tuple[Trial, str]]) -> None:
        window = self.max_parallel or len(pending) or 1
        beaten = 0.0
        while pending or self.inflight:
            pending = self._cancel_flags(pending)
            while pending and len(self.inflight) < window:
                self._submit(*pending.pop(0))
            if time.monotonic() - beaten > BEAT_SECONDS:
                try:
                    self.sweeps.beat(self.spec.id)
                except StoreError:  # a busy store must not stop the sweep; the next beat retries
                    pass
                beaten = time.monotonic()
            if self.inflight:
                ready, _ = self.ray.wait(list(self.inflight), num_returns=1, timeout=TICK_SECONDS)
                for ref in ready:
                    self._record(ref)


def _done(run: Run | None) -> bool:
    return run is not None and run.status == "succeeded"


def _refuse_if_running(spec: SweepSpec, latest: dict[str, Run]) -> None:
    busy = [r.id for r in latest.values() if r.active]
    if busy:
        raise SweepError(f"sweep {spec.id} is already running (trial runs {', '.join(busy[:3])}); wait for it, "
                         f"or stop it with `unlearn cancel {spec.id}`")


def _queue(spec: SweepSpec, sweeps: SweepStore, trials: list[Trial], latest: dict[str, Run]) -> list[tuple[Trial, str]]:
    """A queued run row per trial still to run; the trials that already succeeded are left as they are."""
    sweeps.start(spec.id, spec.title(), spec.to_dict())
    pending = []
    for t in trials:
        if not _done(latest.get(t.key)):
            run_id = sweeps.runs.create(t.scenario, f"{spec.title()} · {t.title()}")
            sweeps.tag(run_id, spec.id, t.key)
            pending.append((t, run_id))
    return pending


def run_sweep(spec: SweepSpec, store: RunStore | None = None, address: str | None = None,
              max_parallel: int | None = None, cache: str | Path | None = None,
              on_trial: Callable[[Trial, str], None] | None = None) -> SweepOutcome:
    """Run (or resume) ``spec`` on Ray; every trial lands in the run store. ``on_trial(trial, status)``
    is called once per trial as it ends (and for each one skipped because it had already succeeded)."""
    if max_parallel is not None and max_parallel < 1:
        raise SweepError(f"--max-parallel {max_parallel}: give at least 1")
    sweeps = SweepStore(store or RunStore())
    trials = expand(spec)
    notify = on_trial or (lambda trial, status: None)
    latest = sweeps.latest(spec.id)
    _refuse_if_running(spec, latest)
    skipped = [t for t in trials if _done(latest.get(t.key))]
    outcome = SweepOutcome(spec.id, skipped=len(skipped))
    for t in skipped:
        notify(t, "succeeded")
    cache_dir = Path(cache or spec.cache or paths.cache_dir())
    local_cpus = None if address or max_parallel is None else max_parallel * max(spec.resources["num_cpus"], 1)
    # connected to Ray (or refused, naming the address) before any run row is written
    session = ray_session(address, local_cpus) if len(skipped) < len(trials) else contextlib.nullcontext()
    with session as ray:
        pending = _queue(spec, sweeps, trials, latest)
        outcome.status = "cancelled"  # unless the loop below ends normally (an interrupt, an error)
        try:
            if pending:
                driver = _Driver(ray, spec, sweeps, cache_dir, max_parallel, notify)
                driver.loop(pending)
                outcome.status = "cancelled" if driver.cancelled else "finished"
            else:
                outcome.status = "finished"
        finally:  # whatever stopped the driver, no trial of it stays 'running'
            for _, run_id in pending:
                if sweeps.runs.get(run_id).active:
                    sweeps.runs.finish(run_id, "cancelled", error="the sweep's driver stopped before this trial finished")
            sweeps.finish(spec.id, outcome.status)
    final = sweeps.latest(spec.id)
    for t in trials:
        run = final.get(t.key)
        outcome.trials.append({"run_id": run.id if run else None, "overrides": t.overrides,
                               "status": run.status if run else "missing", "metrics": unlearned_metrics(run)})
    return outcome
