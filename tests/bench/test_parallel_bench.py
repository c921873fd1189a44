"""unlearn bench --parallel: the identity suite's seeds as Ray tasks give the serial path's numbers;
other suites refuse --parallel by name."""

from __future__ import annotations

import math

import pytest

from core.bench import BENCHES, BenchArgs, run_bench
from core.bench.parallel import SEED_PARALLEL, map_seeds

TINY = {"n_identities": 8, "images_per_identity": 4, "size": 32, "forget": 1, "epochs": 1, "batch_size": 16,
        "methods": "finetune", "finetune.epochs": 1, "threads": 1, "device": "cpu", "quiet": True}
TIMES = {"seconds", "speedup", "audit_seconds", "cpu_seconds", "cpu_speedup"}


def _same(a: float, b: float) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def test_identity_seeds_on_local_ray_match_the_serial_path():
    pytest.importorskip("ray")
    suite = BENCHES.get("identity")
    serial = suite(BenchArgs(seeds=2, validation_seeds=0, options=dict(TINY))).doc
    parallel = suite(BenchArgs(seeds=2, validation_seeds=0, options=dict(TINY), parallel=2)).doc
    assert [r["seed"] for r in parallel["runs"]] == [0, 1]  # back in seed order
    compared = 0
    for run_s, run_p in zip(serial["runs"], parallel["runs"], strict=True):
        assert run_s["sizes"] == run_p["sizes"]
        for row_s, row_p in zip(run_s["results"], run_p["results"], strict=True):
            assert row_s["model"] == row_p["model"]
            for key in set(row_s["metrics"]) - TIMES:
                assert _same(row_s["metrics"][key], row_p["metrics"][key]), (run_s["seed"], row_s["model"], key)
                compared += 1
    assert compared > 20
    assert serial["runs"][0]["results"] != serial["runs"][1]["results"]  # the seeds really differ


def test_map_seeds_runs_each_seed_in_a_ray_worker():
    pytest.importorskip("ray")
    import os

    out = map_seeds(lambda s: (s * s, os.getpid()), [0, 1, 2], parallel=2)
    assert [v for v, _ in out] == [0, 1, 4]
    assert os.getpid() not in {pid for _, pid in out}  # not run in the driver


def test_suites_without_seed_mapping_refuse_parallel_by_name(tmp_path):
    assert "identity" in SEED_PARALLEL
    other = next(n for n in BENCHES.names() if n not in SEED_PARALLEL)
    with pytest.raises(ValueError, match=rf"{other}.*does not take --parallel.*identity"):
        run_bench(other, seeds=1, json_path=str(tmp_path / "x.json"), parallel=2)
    with pytest.raises(ValueError, match="--parallel"):
        run_bench("identity", seeds=1, json_path=str(tmp_path / "y.json"), parallel=0)
