"""The pre-launch estimate: cached references cost nothing, past runs of the method set its cost, the
slow ResNet attacker of an attribute request is flagged with the linear probe offered."""

from __future__ import annotations

import copy

from core.config import scenario_from_dict
from core.data import load_dataset
from core.data.splits import make_splits
from core.pipeline import prepare
from core.runs import RunStore
from core.runs.estimate import ROUGH_EVALUATION, estimate_run
from tests.dashboard.seed import seed_run


def _splits(sc):
    from core import paths
    table = load_dataset(sc.dataset.name, sc.dataset.options, paths.cache_dir())
    return make_splits(table, sc.task, sc.forget, sc.seed, sc.split.test_fraction, sc.split.unseen_fraction)


def test_cached_references_and_past_method_time(tiny_scenario):
    sc = scenario_from_dict(tiny_scenario)
    store = RunStore()
    before = estimate_run(sc, _splits(sc), store)
    assert not before.original_cached and not before.gold_cached and "rough" in before.method.source
    prepare(sc)  # trains and caches the original and gold models
    rows = [("original", 0.7, 0.8, 0.5), ("gold", 0.69, 0.5, 0.8), ("finetune", 0.7, 0.6, 0.7)]
    for seconds in (4.0, 6.0, 50.0):  # seed rows store seconds=1.0; set the method's own time
        run_id = seed_run(store, "succeeded", config=copy.deepcopy(tiny_scenario), rows=rows)
        run = store.get(run_id)
        run.results["results"][2]["metrics"]["seconds"] = seconds
        store.finish(run_id, "succeeded", results=run.results)
    after = estimate_run(sc, _splits(sc), store)
    assert after.original_cached and after.gold_cached
    assert after.references.seconds < before.references.seconds
    assert after.method.seconds == 6.0 and "3 past runs" in after.method.source


def test_resnet_attacker_on_an_attribute_request_suggests_the_linear_probe(tiny_scenario):
    config = {**tiny_scenario, "task": "age_group", "forget": {"kind": "attribute", "column": "Eyeglasses", "value": 1},
              "evaluation": {"attacker": "resnet"}}
    sc = scenario_from_dict(config)
    est = estimate_run(sc, _splits(sc), RunStore())
    assert est.evaluation.seconds == ROUGH_EVALUATION["resnet"] and est.suggest_linear and est.notes
    fast = estimate_run(scenario_from_dict({**config, "evaluation": {"attacker": "linear"}}), _splits(sc), RunStore())
    assert not fast.suggest_linear and fast.seconds < est.seconds
