"""``unlearn bench demo``: wall time of the default scenario from a cold cache and with models cached.

The walking-skeleton goal: on a 2-core CPU, at most 120 s cold (data generation and both
trainings included) and at most 30 s with the original and gold models cached.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from core.bench.base import BENCHES, BenchArgs, BenchResult
from core.config import default_scenario
from core.pipeline import run_scenario


@BENCHES.register("demo", "seconds for `unlearn demo`'s scenario: cold cache vs models cached")
def demo_bench(args: BenchArgs) -> BenchResult:
    sc = default_scenario(**({"device": args.options["device"]} if "device" in args.options else {}))
    rows = []
    for seed in range(args.seeds):
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp)
            times = {}
            for label in ("cold", "cached"):
                start = time.perf_counter()
                doc = run_scenario(sc, cache=cache)
                times[label] = time.perf_counter() - start
            rows.append({"seed": seed, **times, "nomus": doc["results"][-1]["metrics"]["nomus"]})
    md = "| run | cold cache (s) | models cached (s) |\n| --- | --- | --- |\n"
    md += "".join(f"| {r['seed']} | {r['cold']:.1f} | {r['cached']:.1f} |\n" for r in rows)
    return BenchResult({"scenario": sc.to_dict(), "runs": rows}, md)
