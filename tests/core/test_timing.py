"""Honest time: a slow live report goes to ``audit_seconds``, not to the method's or retraining's
``seconds``, nor to the speed-up.

The slow report does not sleep: it moves a fake clock (``time.perf_counter``) forward by
:data:`JUMP` seconds, so the check does not depend on how fast the machine runs the rest: a report
counted in the method's time would add whole minutes to it, one counted as audit time adds exactly
those minutes to ``audit_seconds``, whatever the load (a sleep-based version failed under load when
the real evaluation time varied by as much as the sleep)."""

from __future__ import annotations

import time

import pytest

from core.config import scenario_from_dict
from core.pipeline import evaluate_model, prepare, run_method

JUMP = 100.0  # fake seconds one slow report takes


class FakeClock:
    """``time.perf_counter`` plus the fake seconds the slow reports have added."""

    def __init__(self) -> None:
        self.real = time.perf_counter
        self.offset = 0.0

    def __call__(self) -> float:
        return self.real() + self.offset

    def slow_report(self, *args, **kwargs) -> None:
        self.offset += JUMP


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(time, "perf_counter", fake)
    return fake


@pytest.fixture
def prep(tiny_scenario, tmp_path):
    return prepare(scenario_from_dict(tiny_scenario), cache=tmp_path / "cache")


def test_live_reports_are_audit_time_not_method_time(prep, clock):
    epochs = 3  # finetune reports once per epoch
    fast: dict = {}
    _, fast_seconds, _ = run_method(prep, "finetune", {"epochs": epochs}, timing=fast)
    slow: dict = {}
    _, slow_seconds, _ = run_method(prep, "finetune", {"epochs": epochs}, progress=clock.slow_report, timing=slow)
    jumped = clock.offset
    assert jumped >= epochs * JUMP  # the slow report ran once per epoch at least
    assert fast["audit_seconds"] > 0  # the live evaluation itself is audit time
    assert slow["audit_seconds"] >= jumped  # every slow report is audit time
    assert slow_seconds == slow["seconds"]
    assert slow_seconds < JUMP / 2  # none of the reports landed in the method's time
    metrics = evaluate_model(prep, prep.original.model, slow_seconds, audit_seconds=slow["audit_seconds"])
    assert metrics["audit_seconds"] == slow["audit_seconds"]
    assert metrics["speedup"] == pytest.approx(prep.gold.seconds / slow_seconds)


def test_retraining_time_leaves_out_its_progress_reports(tiny_scenario, tmp_path, clock):
    tiny_scenario["train"]["epochs"] = 2
    slow = prepare(scenario_from_dict(tiny_scenario), progress=clock.slow_report, cache=tmp_path / "slow")
    assert slow.gold.audit_seconds >= 2 * JUMP  # train_epochs reports once per epoch
    assert slow.gold.seconds < JUMP / 2
    assert slow.original.seconds < JUMP / 2
