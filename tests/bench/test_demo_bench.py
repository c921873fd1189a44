"""``bench demo`` times what ``unlearn demo`` runs: a stored run through the worker's ``execute``,
cold and then with the cache warm, inside a throwaway ``UNLEARN_HOME``."""

from __future__ import annotations

import os
from pathlib import Path

from core.bench.demo import fresh_home, timed_demo_run
from core.runs import RunStore


def test_a_timed_demo_run_goes_through_the_store_and_the_cache_warms(tiny_scenario, unlearn_home):
    with fresh_home() as tmp:
        assert os.environ["UNLEARN_HOME"] == tmp != str(unlearn_home)
        cold, results = timed_demo_run(tiny_scenario, "tiny")
        cached, _ = timed_demo_run(tiny_scenario, "tiny")
        store = RunStore()
        runs = store.list()  # newest first
        assert [r.status for r in runs] == ["succeeded", "succeeded"]
        loaded = [{e.stage for e in store.events(r.id) if e.metrics.get("cached")} for r in runs]
        assert loaded[0] and not loaded[1]  # the second run loaded its trained models from the cache
        assert any((Path(tmp) / "cache").iterdir())
    assert os.environ["UNLEARN_HOME"] == str(unlearn_home)  # the caller's home is back
    assert cold > 0 and cached > 0
    assert [r["model"] for r in results["results"]] == ["original", "gold", "finetune"]
    assert "audit" in results  # the saliency stage ran, as in `unlearn demo`


def test_the_demo_bench_says_nothing_was_chosen_on_validation_seeds(monkeypatch):
    """The timing runs the shipped scenario: its document and table say no seed chose a setting."""
    import core.bench.demo as demo
    from core.bench import BenchArgs

    gold = {"model": "gold", "metrics": {}, "metric_ci": {"forget_acc": [0.6, 0.8], "mia_acc": [0.45, 0.55]}}
    scrub = {"model": "scrub", "metrics": {"nomus": 0.5, "forget_acc": 0.7, "mia_acc": 0.6}}
    doc = {"results": [{"model": "original", "metrics": {}}, gold, scrub], "verdict": {"label": "partly forgotten"}}
    monkeypatch.setattr(demo, "timed_demo_run", lambda scenario, name: (1.0, doc))
    result = demo.demo_bench(BenchArgs(seeds=2))
    assert result.doc["seeds"] == {"validation": [], "report": [0, 1]} and result.doc["chosen"] == {}
    assert [r["seed"] for r in result.doc["runs"]] == [0, 1]
    assert "nothing chosen on validation seeds" in result.markdown
    land = result.doc["runs"][0]["landing"]  # forget acc inside gold's interval, the attack outside it
    assert land["forget_acc"]["inside"] and not land["mia_acc"]["inside"] and not land["lands"]
    assert "0.600 in [0.450, 0.550]: no" in result.markdown and "missed" in result.markdown
