"""Sweeps on a local Ray: every trial a run in the store grouped by its sweep, a failed trial kept with
its error while the sweep goes on, references trained once and shared, resume, a killed worker, cancel."""

from __future__ import annotations

import json
import threading

import yaml

from core.cli.main import main
from core.runs import RunStore
from core.sweep import sweep_from_dict
from core.sweep.ray_runner import run_sweep
from core.sweep.store import SweepStore
from tests.sweep.conftest import trial_workers, wait_until


def test_sweep_lands_in_the_store_fails_one_trial_and_resumes(local_ray, tiny_base, tmp_path):
    forget_ok = {"kind": "identities", "count": 2}
    sweep = {"base": tiny_base, "mode": "list",
             "axes": {"method.name": ["finetune", "neggrad", "finetune"],
                      "forget": [forget_ok, forget_ok, {"kind": "identities", "identities": [9999]}]}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(sweep))
    out = tmp_path / "out.json"
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--max-parallel", "2", "--json", str(out)]) == 1  # one failed

    doc = json.loads(out.read_text())
    sweep_id = sweep_from_dict(sweep).id
    assert doc["sweep"] == sweep_id
    assert [t["status"] for t in doc["trials"]] == ["succeeded", "succeeded", "failed"]
    assert doc["trials"][1]["overrides"]["method.name"] == "neggrad"
    assert 0.0 <= doc["trials"][0]["metrics"]["test_acc"] <= 1.0 and doc["trials"][2]["metrics"] == {}

    store = RunStore()
    runs = {r.id: r for r in store.list()}
    assert {r.sweep for r in runs.values()} == {sweep_id} and len(runs) == 3
    ok = [runs[t["run_id"]] for t in doc["trials"][:2]]
    for run in ok:
        assert run.results["results"][-1]["model"] == run.config["method"]["name"]
        assert (store.runs_root / run.id / "unlearned.pt").is_file()
        grids = run.results["audit"]["files"]["grids"]
        assert grids and all((store.runs_root / run.id / f).is_file() for f in grids.values())  # the worker's files
        originals = [e for e in store.events(run.id) if e.stage == "original"]
        assert originals and originals[-1].metrics.get("cached") == 1.0  # loaded, not retrained by the trial
        assert any(e.stage == "unlearn" for e in store.events(run.id)) and run.device == "cpu"
    failed = runs[doc["trials"][2]["run_id"]]
    assert "9999" in failed.error
    assert SweepStore(store).get(sweep_id).status == "finished"

    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--json", str(out)]) == 1  # resume: only the failed one again
    again = json.loads(out.read_text())
    assert [t["run_id"] for t in again["trials"][:2]] == [t["run_id"] for t in doc["trials"][:2]]
    assert again["trials"][2]["run_id"] != doc["trials"][2]["run_id"]
    assert len(SweepStore(store).trial_runs(sweep_id)) == 4


def test_a_killed_trial_worker_is_recorded_lost_and_the_sweep_finishes(local_ray, tiny_base):
    tiny_base["method"]["params"]["epochs"] = 25
    spec = sweep_from_dict({"base": tiny_base, "axes": {"seed": [0, 1]}})
    killed = []

    def kill_one():
        proc = wait_until(trial_workers, 120, "a running trial")[0]
        killed.append(proc.pid)
        proc.kill()

    killer = threading.Thread(target=kill_one, daemon=True)
    killer.start()
    outcome = run_sweep(spec, max_parallel=2)
    killer.join(5)
    assert killed
    statuses = sorted(t["status"] for t in outcome.trials)
    assert statuses == ["lost", "succeeded"], statuses
    lost = next(RunStore().get(t["run_id"]) for t in outcome.trials if t["status"] == "lost")
    assert "died" in lost.error
    assert outcome.status == "finished"


def test_cancelling_a_sweep_stops_running_trials_and_keeps_finished_ones(local_ray, tiny_base):
    spec = sweep_from_dict({"base": tiny_base, "mode": "list",
                            "axes": {"seed": [0, 1, 2], "method.params.epochs": [1, 200, 200]}})
    sweeps = SweepStore()

    def cancel_when_second_runs():
        wait_until(trial_workers, 120, "the second trial running")
        sweeps.request_cancel(spec.id)

    def on_trial(trial, status):
        if trial.index == 0:
            threading.Thread(target=cancel_when_second_runs, daemon=True).start()

    outcome = run_sweep(spec, max_parallel=1, on_trial=on_trial)
    assert [t["status"] for t in outcome.trials] == ["succeeded", "cancelled", "cancelled"]
    assert outcome.status == "cancelled" and sweeps.get(spec.id).status == "cancelled"
    assert "Ray task was cancelled" in RunStore().get(outcome.trials[1]["run_id"]).error  # it was running
    assert not trial_workers() or wait_until(lambda: not trial_workers(), 20, "the cancelled worker to exit")
