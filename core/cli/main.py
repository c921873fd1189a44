"""The ``unlearn`` command: list, demo, run, runs, show, cancel, datasets show, bench, report, tune, sweep, export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.cli.execute import execute_and_print
from core.cli.listing import cmd_list
from core.cli.table import format_table, outcome_lines
from core.config import ConfigError, default_scenario, load_scenario
from core.data.source import DataError
from core.params import ParamError
from core.registry import UnknownName


def cmd_demo(args: argparse.Namespace) -> int:
    overrides = {"method": {"name": args.method, "params": {}}} if args.method else {}
    if args.device:
        overrides["device"] = args.device
    sc = default_scenario(**overrides)
    return execute_and_print(sc.to_dict(), sc.title(), args.json)


def cmd_run(args: argparse.Namespace) -> int:
    sc = load_scenario(args.config)
    if args.detach:
        from core.runs import RunStore, launch

        print(launch(RunStore(), sc, sc.title()))
        return 0
    return execute_and_print(sc.to_dict(), sc.title(), args.json)


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


def named_errors() -> tuple[type[BaseException], ...]:
    """The project's own errors: their message says what is wrong and what to do, so the user reads
    that one line instead of a traceback (a run keeps its traceback in the store)."""
    from core.report.document import ReportError
    from core.runs.store import StoreError, UnknownRun
    from core.cluster import ClusterError
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
