"""``unlearn export mlflow [RUN_ID ... | --sweep ID | --all] [--tracking-uri URI] [--experiment NAME]``."""

from __future__ import annotations

import argparse


def cmd_export_mlflow(args: argparse.Namespace) -> int:
    from core.export.mlflow_export import export
    from core.runs import RunStore

    done = export(RunStore(), run_ids=args.run_ids, sweep=args.sweep, everything=args.all,
                  tracking_uri=args.tracking_uri, experiment=args.experiment)
    for e in done:
        print(f"{e.what} -> mlflow run {e.mlflow_id} ({'exported' if e.created else 'already there'})")
    new = sum(e.created for e in done)
    print(f"{new} exported, {len(done) - new} already in {args.tracking_uri} (experiment {args.experiment})")
    return 0


def add_parser(sub) -> None:
    from core.export.mlflow_export import EXPERIMENT

    e = sub.add_parser("export", help="export runs to an experiment tracker").add_subparsers(dest="export_to",
                                                                                               required=True)
    m = e.add_parser("mlflow", help="runs (params, metric history, final metrics, report, checkpoint) to MLflow; "
                                    "idempotent")
    m.add_argument("run_ids", nargs="*", help="run ids to export")
    m.add_argument("--sweep", help="a sweep id: exported as a parent run with its trials nested")
    m.add_argument("--all", action="store_true", help="every finished run and sweep")
    m.add_argument("--tracking-uri", default="file:./mlruns", help="MLflow tracking URI (default file:./mlruns)")
    m.add_argument("--experiment", default=EXPERIMENT, help=f"MLflow experiment name (default {EXPERIMENT})")
    m.set_defaults(fn=cmd_export_mlflow)
