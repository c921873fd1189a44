"""``unlearn sweep SWEEP.yaml [--address ...] [--max-parallel N] [--json PATH]``: run or resume a sweep,
with a progress bar over its trials; ``unlearn cancel SWEEP_ID`` stops it (see :func:`cancel_sweep`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from core.sweep.ray_runner import run_sweep
    from core.sweep.spec import load_sweep
    from core.sweep.trials import expand

    spec = load_sweep(args.file)
    total = len(expand(spec))
    print(f"sweep {spec.id}: {total} trials ({spec.title()})")
    with tqdm(total=total, unit="trial", desc=spec.id) as bar:
        def tick(trial, status):
            bar.update(1)
            bar.set_postfix_str(f"{trial.title()}: {status}")

        outcome = run_sweep(spec, address=args.address, max_parallel=args.max_parallel, cache=args.cache, on_trial=tick)
    counts: dict[str, int] = {}
    for t in outcome.trials:
        counts[t["status"]] = counts.get(t["status"], 0) + 1
    print(f"sweep {spec.id} {outcome.status}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
          + (f" ({outcome.skipped} already done before)" if outcome.skipped else ""))
    if args.json:
        Path(args.json).write_text(json.dumps(outcome.to_json(), indent=2, default=float))
        print(f"wrote {args.json}")
    return 0 if outcome.status == "finished" and set(counts) <= {"succeeded"} else 1


def add_parser(sub) -> None:
    s = sub.add_parser("sweep", help="run a sweep (base scenario x axes) as Ray tasks; re-running resumes it")
    s.add_argument("file", help="SWEEP.yaml: base, axes, mode (grid|list), resources, cache")
    s.add_argument("--address", help="join a Ray cluster: auto, host:port or ray://host:port (default: RAY_ADDRESS, "
                                     "else a local Ray on this machine's cores)")
    s.add_argument("--max-parallel", type=int, help="at most this many trials at once")
    s.add_argument("--cache", help="cache folder shared by every Ray node (default: the sweep's cache, else UNLEARN_HOME's)")
    s.add_argument("--json", help='write {"sweep": ID, "trials": [{"run_id", "overrides", "status", "metrics"}]} here')
    s.set_defaults(fn=cmd_sweep)


def cancel_sweep(sweep_id: str) -> bool:
    """Set the sweep's cancel flag if ``sweep_id`` names a sweep; its driver stops the running trials.
    Returns False when there is no such sweep (then the id is a run's)."""
    from core.sweep.store import SweepStore

    sweeps = SweepStore()
    if sweeps.get(sweep_id) is None:
        return False
    sweeps.request_cancel(sweep_id)
    return True
