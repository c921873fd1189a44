"""The ``unlearn`` command: list, demo, run, runs, show, cancel, datasets show, bench, report, tune, sweep, export."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from core.cli.listing import cmd_list
from core.config import ConfigError, default_scenario, load_scenario
from core.data.source import DataError
from core.params import ParamError
from core.registry import UnknownName


def table_metrics() -> list[str]:
    """The results table's columns, in order: the declared headline keys (core/metrics/*.py, run_keys.py)."""
    from core.metric_words import declared

    return [k.name for k in declared() if k.headline]


def format_table(results: list[dict]) -> str:
    """Models as rows, the metrics they have as columns."""
    cols = [m for m in table_metrics() if any(m in r["metrics"] for r in results)]
    lines = [f"{'model':<16}" + "".join(f"{c:>{max(len(c), 8) + 2}}" for c in cols)]
    for r in results:
        cells = []
        for c in cols:
            v = r["metrics"].get(c)
            text = "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1f}" if c.endswith("seconds") else f"{v:.3f}"
            cells.append(f"{text:>{max(len(c), 8) + 2}}")
        lines.append(f"{r['model']:<16}" + "".join(cells))
    return "\n".join(lines)


def outcome_lines(doc: dict) -> str:
    """The verdict (core/verdict.py) and the notes a reader needs to read the times (a checkpoint's)."""
    from core.verdict import verdict_line

    return "\n".join([verdict_line(doc), *(f"note: {n}" for n in doc.get("notes") or [])])


def _execute_and_print(scenario_dict: dict, name: str, json_path: str | None) -> int:
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
    print(format_table(run.results["results"]))
    print(outcome_lines(run.results))
    for warning in run.results.get("warnings") or []:
        print(f"warning: {warning}", file=sys.stderr)
    if json_path:
        doc = {"run_id": run_id, **run.results}
        Path(json_path).write_text(json.dumps(doc, indent=2))
        print(f"wrote {json_path}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    overrides = {"method": {"name": args.method, "params": {}}} if args.method else {}
    if args.device:
        overrides["device"] = args.device
    sc = default_scenario(**overrides)
    return _execute_and_print(sc.to_dict(), sc.title(), args.json)


def cmd_run(args: argparse.Namespace) -> int:
    sc = load_scenario(args.config)
    if args.detach:
        from core.runs import RunStore, launch

        print(launch(RunStore(), sc, sc.title()))
        return 0
    return _execute_and_print(sc.to_dict(), sc.title(), args.json)


def cmd_runs(args: argparse.Namespace) -> int:
    from core.runs import RunStore

    for r in RunStore().list(limit=args.limit):
        dur = f"{r.duration:.0f}s" if r.duration is not None else "-"
        print(f"{r.id}  {r.status:<10} {dur:>6}  {r.device or '-':<5} {r.name}" + (f"  [{r.sweep}]" if r.sweep else ""))
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from core.runs import RunStore

    r = RunStore().get(args.run_id)
    print(f"{r.id}  {r.status}  {r.name}")
    if r.results:
        print(format_table(r.results["results"]))
        if r.results.get("verdict"):  # runs stored before verdicts existed have none
            print(outcome_lines(r.results))
    if r.error:
        print(r.error)
    return 0


def cmd_cancel(args: argparse.Namespace) -> int:
    from core.runs import RunStore, cancel
    from core.sweep.cli import cancel_sweep

    if cancel_sweep(args.run_id):  # a sweep id: its driver stops the running trials, finished ones stay
        print(f"cancel requested for sweep {args.run_id}")
        return 0
    cancel(RunStore(), args.run_id)
    print(f"cancel requested for {args.run_id}")
    return 0


def cmd_datasets_show(args: argparse.Namespace) -> int:
    from core import paths
    from core.data import load_dataset
    from core.data.preview import write_grid

    options = dict(kv.split("=", 1) for kv in args.option)
    table = load_dataset(args.name, options, paths.cache_dir())
    out = Path(args.out or f"{args.name}-preview.png")
    write_grid(table, out, n=args.n)
    print(f"wrote {out} ({len(table)} images; columns: {', '.join(sorted(table.columns))})")
    if table.skipped:
        print(f"warning: {table.skipped_summary()}")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from core.bench import run_bench

    options = dict(kv.split("=", 1) for kv in args.option)
    return run_bench(args.suite, seeds=args.seeds, json_path=args.json, dataset=args.dataset, options=options,
                     validation_seeds=args.validation_seeds, parallel=args.parallel, address=args.address)


def cmd_report(args: argparse.Namespace) -> int:
    from core.report.document import write_report
    from core.runs import RunStore

    print(f"wrote {write_report(RunStore(), args.run_id, args.out)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="unlearn", description="Unlearning Studio: machine unlearning on images")
    sub = p.add_subparsers(dest="command", required=True)
    ls = sub.add_parser("list", help="registered datasets, models, methods, metrics")
    ls.add_argument("--json", action="store_true", help="every registry with its metadata (options, params, metric keys)")
    ls.set_defaults(fn=cmd_list)
    d = sub.add_parser("demo", help="run the built-in default scenario end to end")
    d.add_argument("--json", help="write the results document here")
    d.add_argument("--method", help="unlearning method (default: finetune)")
    d.add_argument("--device", help="auto, cpu, cuda or mps")
    d.set_defaults(fn=cmd_demo)
    r = sub.add_parser("run", help="run a scenario file (YAML or JSON)")
    r.add_argument("config")
    r.add_argument("--json")
    r.add_argument("--detach", action="store_true", help="start a background worker and print the run id")
    r.set_defaults(fn=cmd_run)
    rs = sub.add_parser("runs", help="list runs")
    rs.add_argument("--limit", type=int, default=50)
    rs.set_defaults(fn=cmd_runs)
    s = sub.add_parser("show", help="show a run's status and metrics")
    s.add_argument("run_id")
    s.set_defaults(fn=cmd_show)
    c = sub.add_parser("cancel", help="cancel a queued or running run, or a sweep")
    c.add_argument("run_id", help="a run id, or a sweep id (sweep-...)")
    c.set_defaults(fn=cmd_cancel)
    ds = sub.add_parser("datasets", help="dataset tools").add_subparsers(dest="datasets_cmd", required=True)
    dss = ds.add_parser("show", help="write a PNG grid of a dataset's images with labels")
    dss.add_argument("name")
    dss.add_argument("--out")
    dss.add_argument("-n", type=int, default=16)
    dss.add_argument("--option", action="append", default=[], help="dataset option key=value (repeatable)")
    dss.set_defaults(fn=cmd_datasets_show)
    b = sub.add_parser("bench", help="benchmark suites that regenerate the papers' tables")
    b.add_argument("suite")
    b.add_argument("--seeds", type=int, default=3)
    b.add_argument("--validation-seeds", type=int, default=1,
                   help="seeds (1000, 1001, ...) on which a suite chooses its settings before reporting on --seeds")
    b.add_argument("--parallel", type=int, default=1,
                   help="seeds at once as Ray tasks, for suites that support it (identity); local Ray unless --address")
    b.add_argument("--address", help="join this Ray cluster for --parallel (auto, HOST:PORT; else RAY_ADDRESS)")
    b.add_argument("--json", help="results JSON path (markdown and figures are written beside it)")
    b.add_argument("--dataset", help="dataset name or folder for suites that accept one")
    b.add_argument("--option", action="append", default=[], help="suite option key=value (repeatable)")
    b.set_defaults(fn=cmd_bench)
    rp = sub.add_parser("report", help="write a finished run's self-contained HTML audit report")
    rp.add_argument("run_id")
    rp.add_argument("--out", help="where to write it (default: the run folder's report.html)")
    rp.set_defaults(fn=cmd_report)
    from core.export.cli import add_parser as add_export
    from core.sweep.cli import add_parser as add_sweep

    add_sweep(sub)
    add_export(sub)
    from core.tune.command import add_tune_parser

    add_tune_parser(sub)
    return p


def headline(error: str) -> str:
    """The named message of a stored error: its first paragraph, without the traceback kept under it."""
    return error.strip().split("\n\n", 1)[0].strip()


def named_errors() -> tuple[type[BaseException], ...]:
    """The project's own errors: their message says what is wrong and what to do, so the user reads
    that one line instead of a traceback (a run keeps its traceback in the store)."""
    from core.report.document import ReportError
    from core.runs.store import StoreError, UnknownRun
    from core.sweep.cluster import ClusterError
    from core.training import Diverged

    return (ConfigError, DataError, ParamError, UnknownName, UnknownRun, StoreError, ReportError, Diverged,
            ClusterError, ValueError, KeyError)


def _message(exc: BaseException) -> str:
    """KeyError quotes its message (``'run x not found'``); show it as the other errors are shown."""
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.fn(args)
    except named_errors() as exc:
        print(f"error: {_message(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
