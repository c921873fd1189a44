"""``unlearn bench sweep``: the same sweep (2 methods x N seeds on the default scenario) run through
``unlearn sweep``'s path on a local Ray with 1 worker and with 2 (``--option workers=K``), each from a
cold cache in a fresh ``UNLEARN_HOME``: the wall-time speed-up, and whether every trial's metrics
are identical (same seeds; time metrics aside). Goal: at least 1.7x with 2 workers on 2 free cores.
The machine's load average is recorded beside the times, since other work on the cores slows both.
"""

from __future__ import annotations

import math
import os
import time

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.bench.demo import fresh_home
from core.config import default_scenario

def is_time(metric: str) -> bool:
    """Wall-clock measurements (``seconds``, ``audit_seconds``, ``speedup``): they differ between any two runs."""
    return metric == "speedup" or metric.endswith("seconds")


def same(a: dict, b: dict) -> bool:
    """Equal metric tables (NaN equals NaN: an attack with no number has none in both)."""
    if set(a) != set(b):
        return False
    return all(x == y or (isinstance(x, float) and isinstance(y, float) and math.isnan(x) and math.isnan(y))
               for x, y in ((a[k], b[k]) for k in a))


def timed_sweep(spec, workers: int) -> tuple[float, list[dict]]:
    """Seconds for the whole sweep with ``workers`` parallel trials (Ray start included), and its trials."""
    from core.sweep.ray_runner import run_sweep

    with fresh_home():
        start = time.perf_counter()
        outcome = run_sweep(spec, max_parallel=workers)
        seconds = time.perf_counter() - start
    bad = [t for t in outcome.trials if t["status"] != "succeeded"]
    if bad:
        raise RuntimeError(f"bench sweep: {len(bad)} trials did not succeed with {workers} worker(s): {bad[0]}")
    return seconds, outcome.trials


@BENCHES.register("sweep", "a 2-method x N-seed sweep of the default scenario on local Ray: 2 workers vs 1")
def sweep_bench(args: BenchArgs) -> BenchResult:
    from core.sweep.spec import sweep_from_dict

    methods = args.options.get("methods", "finetune,neggrad").split(",")
    workers = int(args.options.get("workers", 2))
    base = default_scenario(device=args.options.get("device", "cpu")).to_dict()
    spec = sweep_from_dict({"name": "bench sweep", "base": base, "resources": {"num_cpus": 1},
                            "axes": {"method.name": methods, "seed": list(range(args.seeds))}})
    load_before = os.getloadavg()
    times, trials = {}, {}
    for n in (1, workers):
        times[n], trials[n] = timed_sweep(spec, n)
    rows = []
    for one, many in zip(trials[1], trials[workers]):
        a = {k: v for k, v in one["metrics"].items() if not is_time(k)}
        b = {k: v for k, v in many["metrics"].items() if not is_time(k)}
        rows.append({**one["overrides"], "nomus_1": a.get("nomus"), f"nomus_{workers}": b.get("nomus"),
                     "identical": same(a, b), "compared": len(a),
                     "differ": sorted(k for k in set(a) | set(b) if not same({k: a.get(k)}, {k: b.get(k)}))})
    speedup = times[1] / times[workers]
    doc = {"scenario": base, "methods": methods, "seeds": args.seeds, "workers": workers,
           "seconds": {str(k): v for k, v in times.items()}, "speedup": speedup,
           "identical": all(r["identical"] for r in rows), "trials": rows, "cpus": os.cpu_count(),
           "loadavg_before": load_before, "loadavg_after": os.getloadavg()}
    md = (f"| trials | 1 worker (s) | {workers} workers (s) | speed-up | metrics identical |\n| --- | --- | --- | --- | --- |\n"
          f"| {len(rows)} | {times[1]:.1f} | {times[workers]:.1f} | {speedup:.2f}x | "
          f"{sum(r['identical'] for r in rows)}/{len(rows)} |\n\n")
    md += "| method | seed | NoMUS (1 worker) | NoMUS (%d workers) | identical |\n| --- | --- | --- | --- | --- |\n" % workers
    md += "".join(f"| {r['method.name']} | {r['seed']} | {r['nomus_1']:.4f} | {r[f'nomus_{workers}']:.4f} | "
                  f"{'yes' if r['identical'] else 'NO: ' + ', '.join(r['differ'])} |\n" for r in rows)
    md += (f"\n'identical': all {rows[0]['compared'] if rows else 0} non-time metrics of the trial are equal in both runs. Cold cache each time (references trained once per seed, as Ray tasks). {os.cpu_count()} CPUs; load "
           f"average {load_before[0]:.1f} before, {doc['loadavg_after'][0]:.1f} after (other work on the cores "
           f"slows both timings). Goal: >= 1.7x with 2 workers on 2 free cores.\n")
    return BenchResult(doc, md)
