"""`unlearn bench sweep`'s comparison: time metrics are left out, NaN equals NaN, any other change counts."""

from core.bench import BENCHES
from core.bench.sweep import is_time, same


def test_identity_check_ignores_only_wall_clock_metrics():
    assert is_time("seconds") and is_time("audit_seconds") and is_time("speedup") and not is_time("test_acc")
    assert same({"test_acc": 0.5, "mia_acc": float("nan")}, {"test_acc": 0.5, "mia_acc": float("nan")})
    assert not same({"test_acc": 0.5}, {"test_acc": 0.5000001})
    assert not same({"test_acc": 0.5}, {"test_acc": 0.5, "nomus": 0.4})
    assert "sweep" in BENCHES.names()
