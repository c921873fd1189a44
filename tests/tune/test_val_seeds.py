"""unlearn tune --val-seeds: a trial's value is the mean over validation seeds, each with its own gold model."""

from __future__ import annotations

import pytest

from core.config import scenario_from_dict
from core.tune.objective import Target, TuneObjective
from core.tune.storage import study_name
from core.tune.study import tune
from core.tune.validation import validation_seeds


def test_the_value_is_the_mean_of_each_seeds_value_against_its_own_gold(monkeypatch):
    views = ["view-a", "view-b"]
    targets = [Target({"forget_acc": 0.6, "test_acc": 0.5}, {}, 10.0, 0.1),
               Target({"forget_acc": 0.9, "test_acc": 0.5}, {}, 20.0, 0.1)]

    def run_on(self, vprep, target, params, trial=None):  # a model with forget acc 0.7 on both views
        from core.tune.objective import objective_value

        metrics = {"forget_acc": 0.7, "test_acc": 0.5, "seconds": 1.0}
        return objective_value(metrics, target.final, 1.0, target.allowed_seconds), metrics

    monkeypatch.setattr(TuneObjective, "evaluate_one", run_on)
    value, metrics = TuneObjective(views, "finetune", targets).evaluate({})
    assert value == pytest.approx((0.1 + 0.2) / 2)  # |0.7−0.6| and |0.7−0.9|: one seed alone gives 0.1 or 0.2
    assert [m["value"] for m in metrics["per_seed"]] == pytest.approx([0.1, 0.2])
    with pytest.raises(ValueError, match="2 validation views but 1 gold targets"):
        TuneObjective(views, "finetune", targets[:1])


def test_a_two_seed_tune_scores_both_seeds_with_their_own_references(tiny_scenario):
    sc = scenario_from_dict(tiny_scenario)
    doc = tune(sc, "finetune", 1, budget=10.0, val_seeds=2)
    assert doc["val_seeds"] == [sc.seed, sc.seed + 1]
    assert len(doc["gold_per_seed"]) == 2 and doc["gold_per_seed"][0] != doc["gold_per_seed"][1]
    per_seed = doc["best"]["metrics"]["per_seed"]
    assert len(per_seed) == 2 and doc["best"]["value"] == pytest.approx(sum(m["value"] for m in per_seed) / 2)
    assert doc["study"] == study_name(sc.to_dict(), "finetune", 10.0, val_seeds=2) != \
        study_name(sc.to_dict(), "finetune", 10.0)  # a 2-seed study never resumes a 1-seed one


def test_a_checkpoint_scenario_has_one_validation_seed(tiny_scenario, tmp_path):
    sc = scenario_from_dict(tiny_scenario)
    assert validation_seeds(sc, 3) == [sc.seed, sc.seed + 1, sc.seed + 2]
    object.__setattr__(sc.original, "checkpoint", str(tmp_path / "model.pt"))
    with pytest.raises(ValueError, match="use --val-seeds 1"):
        validation_seeds(sc, 2)
