"""Honest time: a slow live report (here a progress callback sleeping 0.3 s per call) goes to
``audit_seconds``, not to the method's or retraining's ``seconds``, nor to the speed-up."""

from __future__ import annotations

import time

import pytest

from core.config import scenario_from_dict
from core.pipeline import evaluate_model, prepare, run_method

SLEEP = 0.3


def _slow(*args, **kwargs) -> None:
    time.sleep(SLEEP)


@pytest.fixture
def prep(tiny_scenario, tmp_path):
    return prepare(scenario_from_dict(tiny_scenario), cache=tmp_path / "cache")


def test_live_reports_are_audit_time_not_method_time(prep):
    epochs = 3  # finetune reports once per epoch
    fast: dict = {}
    _, fast_seconds, _ = run_method(prep, "finetune", {"epochs": epochs}, timing=fast)
    slow: dict = {}
    _, slow_seconds, _ = run_method(prep, "finetune", {"epochs": epochs}, progress=_slow, timing=slow)
    slept = epochs * SLEEP
    assert fast["audit_seconds"] > 0  # the live evaluation itself is audit time
    assert slow["audit_seconds"] - fast["audit_seconds"] > 0.9 * slept
    assert slow_seconds == slow["seconds"]
    assert slow_seconds - fast_seconds < slept / 2  # the 0.9 s of sleep did not land in the method's time
    metrics = evaluate_model(prep, prep.original.model, slow_seconds, audit_seconds=slow["audit_seconds"])
    assert metrics["audit_seconds"] == slow["audit_seconds"]
    assert metrics["speedup"] == pytest.approx(prep.gold.seconds / slow_seconds)


def test_retraining_time_leaves_out_its_progress_reports(tiny_scenario, tmp_path):
    tiny_scenario["train"]["epochs"] = 2
    sc = scenario_from_dict(tiny_scenario)
    fast = prepare(sc, cache=tmp_path / "fast")
    slow = prepare(sc, progress=_slow, cache=tmp_path / "slow")
    assert slow.gold.audit_seconds >= 2 * SLEEP  # train_epochs reports once per epoch
    assert slow.gold.seconds - fast.gold.seconds < SLEEP
    assert slow.original.seconds - fast.original.seconds < SLEEP
