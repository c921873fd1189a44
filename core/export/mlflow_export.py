"""Export finished runs to MLflow: ``unlearn export mlflow [RUN_ID ... | --sweep ID | --all] --tracking-uri URI``.

Each run becomes an MLflow run: its scenario flattened to params (``dataset.options.size``...), its
per-epoch progress events as metric history (``<stage>/<metric>`` at the event's step and time), the
final metrics of every model as ``original/…``, ``gold/…`` and ``unlearned/…``, and as artifacts the
HTML audit report, the run folder (saliency grids, method figures, the unlearned checkpoint) and the
results JSON. A sweep becomes a parent run with its trials nested under it.

Idempotent: every exported run carries the tag ``unlearn.run_id`` (a sweep ``unlearn.sweep_id``),
and an export first searches for it; what is already there is not created again. The file store
(``file:./mlruns``, the default) is in maintenance mode in MLflow 3 and refused unless
``MLFLOW_ALLOW_FILE_STORE`` is set; we set it for ``file:`` URIs, since that is what was asked for.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from core.runs.store import Run, RunStore

RUN_TAG = "unlearn.run_id"
SWEEP_TAG = "unlearn.sweep_id"
PARENT_TAG = "mlflow.parentRunId"  # MLflow's own nesting tag
EXPERIMENT = "unlearning-studio"
STATUS = {"succeeded": "FINISHED", "failed": "FAILED", "lost": "FAILED", "cancelled": "KILLED"}
PARAM_CHARS = 500  # MLflow stores longer values, older servers refuse them: long lists are cut (marked …)
BATCH = 100  # items per log_batch call, below MLflow's per-request limits


class ExportError(ValueError):
    """Nothing (valid) to export; the message says what was asked and what exists."""


@dataclass
class Exported:
    what: str  # our run id or sweep id
    mlflow_id: str
    created: bool  # False: it was already in the tracking store


def client_for(tracking_uri: str):
    """An MlflowClient for ``tracking_uri`` (file store allowed for ``file:`` URIs and plain folders)."""
    if tracking_uri.startswith("file:") or "://" not in tracking_uri:
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri)


def experiment_id(client, name: str = EXPERIMENT) -> str:
    found = client.get_experiment_by_name(name)
    return found.experiment_id if found else client.create_experiment(name)


def find(client, exp: str, tag: str, value: str):
    """The MLflow run already tagged ``tag = value``, or None."""
    hits = client.search_runs([exp], f"tags.`{tag}` = '{value}'", max_results=1)
    return hits[0] if hits else None


def flatten(doc: dict, prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": 1}}`` -> ``{"a.b": "1"}``; lists and scalars as JSON text, cut at PARAM_CHARS."""
    out = {}
    for key, value in doc.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flatten(value, name + "."))
        else:
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            out[name] = text if len(text) <= PARAM_CHARS else text[:PARAM_CHARS - 1] + "…"
    return out


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def run_metrics(store: RunStore, run: Run) -> list:
    """Metric history from the stored events, then every model's final metrics (step 0)."""
    from mlflow.entities import Metric

    metrics = [Metric(f"{e.stage or 'run'}/{k}", float(v), int(e.ts * 1000), e.step)
               for e in store.events(run.id) for k, v in e.metrics.items() if _number(v)]
    rows = (run.results or {}).get("results") or []
    ts = int((run.finished or run.created) * 1000)
    for i, row in enumerate(rows):
        role = "unlearned" if i == len(rows) - 1 and row["model"] not in ("original", "gold") else row["model"]
        metrics += [Metric(f"{role}/{k}", float(v), ts, 0) for k, v in row["metrics"].items() if _number(v)]
    return metrics


def _log_batches(client, mlflow_id: str, metrics: list, params: dict[str, str]) -> None:
    from mlflow.entities import Param

    items = [Param(k[:250], v) for k, v in params.items()]
    for i in range(0, len(items), BATCH):
        client.log_batch(mlflow_id, params=items[i:i + BATCH])
    for i in range(0, len(metrics), BATCH * 10):
        client.log_batch(mlflow_id, metrics=metrics[i:i + BATCH * 10])


def _artifacts(store: RunStore, client, mlflow_id: str, run: Run) -> None:
    """The audit report (succeeded runs), the run folder and the results document, or the error text."""
    from core.report.document import write_report

    folder = store.runs_root / run.id
    with tempfile.TemporaryDirectory(prefix="unlearn-export-") as tmp:
        if run.status == "succeeded" and run.results:
            client.log_artifact(mlflow_id, str(write_report(store, run.id, Path(tmp) / "report.html")))
            (Path(tmp) / "results.json").write_text(json.dumps(run.results, indent=2, default=float))
            client.log_artifact(mlflow_id, str(Path(tmp) / "results.json"))
        if run.error:
            (Path(tmp) / "error.txt").write_text(run.error)
            client.log_artifact(mlflow_id, str(Path(tmp) / "error.txt"))
    if folder.is_dir() and any(folder.iterdir()):
        client.log_artifacts(mlflow_id, str(folder), "run")


def export_run(store: RunStore, client, exp: str, run: Run, parent: str | None = None) -> Exported:
    """One finished run as an MLflow run (nested under ``parent`` when given); found again, not duplicated."""
    if run.active:
        raise ExportError(f"run {run.id} is still {run.status}; export it once it has finished")
    found = find(client, exp, RUN_TAG, run.id)
    if found is not None:
        if parent and found.data.tags.get(PARENT_TAG) != parent:  # exported alone before: nest it now
            client.set_tag(found.info.run_id, PARENT_TAG, parent)
        return Exported(run.id, found.info.run_id, False)
    tags = {RUN_TAG: run.id, "mlflow.runName": run.name, "unlearn.status": run.status,
            "unlearn.method": (run.config.get("method") or {}).get("name", "")}
    if parent:
        tags[PARENT_TAG] = parent
    if run.sweep:
        tags[SWEEP_TAG + ".member"] = run.sweep
    created = client.create_run(exp, start_time=int((run.started or run.created) * 1000), tags=tags)
    mlflow_id = created.info.run_id
    _log_batches(client, mlflow_id, run_metrics(store, run), flatten(run.config))
    _artifacts(store, client, mlflow_id, run)
    client.set_terminated(mlflow_id, STATUS.get(run.status, "FAILED"), end_time=int((run.finished or run.created) * 1000))
    return Exported(run.id, mlflow_id, True)


def export_sweep(store: RunStore, client, exp: str, sweep_id: str) -> list[Exported]:
    """The sweep as a parent run (its axes, mode and resources as params), each trial's latest run nested."""
    from core.sweep.store import SweepStore

    sweeps = SweepStore(store)
    sweep = sweeps.get(sweep_id)
    if sweep is None:
        raise ExportError(f"no sweep {sweep_id!r}; the Sweeps page and `unlearn runs` show sweep ids")
    found = find(client, exp, SWEEP_TAG, sweep_id)
    if found is None:
        parent = client.create_run(exp, start_time=int((sweep.started or sweep.created) * 1000),
                                   tags={SWEEP_TAG: sweep_id, "mlflow.runName": sweep.name}).info.run_id
        spec = sweep.spec
        params = {"mode": spec.get("mode", "grid"), **{f"axes.{k}": json.dumps(v) for k, v in spec["axes"].items()},
                  **{f"resources.{k}": str(v) for k, v in (spec.get("resources") or {}).items()}}
        _log_batches(client, parent, [], {k: v[:PARAM_CHARS] for k, v in params.items()})
        client.set_terminated(parent, "KILLED" if sweep.status == "cancelled" else "FINISHED",
                              end_time=int((sweep.finished or sweep.created) * 1000))
        out = [Exported(sweep_id, parent, True)]
    else:
        parent = found.info.run_id
        out = [Exported(sweep_id, parent, False)]
    for run in sweeps.latest(sweep_id).values():
        if not run.active:
            out.append(export_run(store, client, exp, run, parent))
    return out


def export(store: RunStore, run_ids: list[str] | None = None, sweep: str | None = None, everything: bool = False,
           tracking_uri: str = "file:./mlruns", experiment: str = EXPERIMENT) -> list[Exported]:
    """Export the named runs, a sweep, or every finished run and sweep; returns what was exported or found."""
    if not (run_ids or sweep or everything):
        raise ExportError("nothing to export: give run ids, --sweep SWEEP_ID or --all")
    client = client_for(tracking_uri)
    exp = experiment_id(client, experiment)
    out: list[Exported] = []
    if sweep:
        out += export_sweep(store, client, exp, sweep)
    for run_id in run_ids or []:
        out.append(export_run(store, client, exp, store.get(run_id)))
    if everything:
        from core.sweep.store import SweepStore

        for s in SweepStore(store).list():
            out += export_sweep(store, client, exp, s.id)
        done = {e.what for e in out}
        out += [export_run(store, client, exp, r) for r in store.list(limit=1_000_000)
                if not r.active and r.id not in done and not r.sweep]
    return out
