"""`unlearn export mlflow` read back with MLflow's own client from a file store: params, metric history,
final metrics, artifacts (report, checkpoint, grids), a sweep as a parent with nested trials, idempotence."""

from __future__ import annotations

import os

import pytest

from core.cli.main import main
from core.export.mlflow_export import PARENT_TAG, RUN_TAG, SWEEP_TAG, export
from core.runs import RunStore
from core.runs.worker import execute
from core.sweep.store import SweepStore


@pytest.fixture
def swept(tiny_scenario):
    """Two real finished runs (seeds 0 and 1) recorded as the trials of one sweep."""
    store = RunStore()
    sweeps = SweepStore(store)
    sweeps.start("sweep-test", "seeds", {"axes": {"seed": [0, 1]}, "mode": "grid", "resources": {"num_cpus": 1}})
    ids = []
    for seed in (0, 1):
        run_id = store.create({**tiny_scenario, "seed": seed}, f"seed {seed}")
        sweeps.tag(run_id, "sweep-test", f"trial-{seed}")
        assert execute(store, run_id) == "succeeded"
        ids.append(run_id)
    sweeps.finish("sweep-test", "finished")
    return store, ids


def client(uri):
    os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


def test_exported_sweep_reads_back_from_mlflow(swept, tmp_path):
    store, ids = swept
    uri = f"file:{tmp_path / 'mlruns'}"
    assert main(["export", "mlflow", "--sweep", "sweep-test", "--tracking-uri", uri]) == 0
    c = client(uri)
    exp = c.get_experiment_by_name("unlearning-studio").experiment_id
    runs = c.search_runs([exp])
    assert len(runs) == 3
    parent = next(r for r in runs if r.data.tags.get(SWEEP_TAG) == "sweep-test")
    assert parent.data.params["axes.seed"] == "[0, 1]"
    children = {r.data.tags[RUN_TAG]: r for r in runs if RUN_TAG in r.data.tags}
    assert set(children) == set(ids)
    for run_id, mr in children.items():
        ours = store.get(run_id)
        assert mr.data.tags[PARENT_TAG] == parent.info.run_id and mr.info.status == "FINISHED"
        assert mr.data.params["seed"] == str(ours.config["seed"])
        assert mr.data.params["dataset.options.n_identities"] == "16" and mr.data.params["method.name"] == "finetune"
        unlearned = ours.results["results"][-1]["metrics"]
        assert mr.data.metrics["unlearned/test_acc"] == pytest.approx(unlearned["test_acc"])
        assert mr.data.metrics["gold/test_acc"] == pytest.approx(ours.results["results"][1]["metrics"]["test_acc"])
        # per-epoch history: every stored event of the original model's training, in order
        events = [e for e in store.events(run_id) if e.stage == "original" and "loss" in e.metrics]
        history = c.get_metric_history(mr.info.run_id, "original/loss")
        assert len(events) >= 1 and [m.value for m in sorted(history, key=lambda m: m.step)] == pytest.approx(
            [e.metrics["loss"] for e in sorted(events, key=lambda e: e.step)])
        top = {a.path for a in c.list_artifacts(mr.info.run_id)}
        assert {"report.html", "results.json", "run"} <= top
        files = {a.path for a in c.list_artifacts(mr.info.run_id, "run")}
        assert "run/unlearned.pt" in files
        grids = {a.path for a in c.list_artifacts(mr.info.run_id, "run/audit")}
        assert any(p.endswith(".png") for p in grids)
        report = c.download_artifacts(mr.info.run_id, "report.html", str(tmp_path))
        assert run_id in open(report, encoding="utf-8").read()

    again = export(store, run_ids=[ids[0]], sweep="sweep-test", tracking_uri=uri)  # idempotent
    assert again and not any(e.created for e in again)
    assert not any(e.created for e in export(store, everything=True, tracking_uri=uri))
    assert len(c.search_runs([exp])) == 3


def test_export_refuses_nothing_and_unknown(tmp_path):
    uri = f"file:{tmp_path / 'mlruns'}"
    assert main(["export", "mlflow", "--tracking-uri", uri]) == 2
    assert main(["export", "mlflow", "--sweep", "sweep-nope", "--tracking-uri", uri]) == 2
    assert main(["export", "mlflow", "no-such-run", "--tracking-uri", uri]) == 2
