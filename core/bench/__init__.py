"""Benchmark suites that regenerate the papers' tables; each registers itself in ``BENCHES``."""

from core.bench.base import BENCHES, BenchArgs, BenchResult, run_bench
import core.bench.demo  # noqa: F401,E402
import core.bench.identity  # noqa: F401,E402
import core.bench.subset  # noqa: F401,E402
import core.bench.feature  # noqa: F401,E402
import core.bench.attribute  # noqa: F401,E402
import core.bench.sweep  # noqa: F401,E402
import core.bench.tuned  # noqa: F401,E402
import core.bench.attacks  # noqa: F401,E402

__all__ = ["BENCHES", "BenchArgs", "BenchResult", "run_bench"]
