"""unlearn tune: a tiny study that resumes, an objective blind to the test split, pruning, declared ranges."""

from __future__ import annotations

import dataclasses
import json

import optuna
import pytest
import torch
import yaml

from core.config import scenario_from_dict
from core.methods import METHODS
from core.params import param
from core.tune.objective import PruningProgress, Target, TuneObjective, gold_target
from core.tune.space import space_problems
from core.tune.storage import finished_trials, open_study, study_name
from core.tune.study import tune
from core.tune.validation import validation_prep


class Interrupted(Exception):
    pass


@pytest.fixture
def tiny(tiny_scenario):
    tiny_scenario["method"] = {"name": "advanced_neggrad", "params": {}}
    return scenario_from_dict(tiny_scenario)


def test_tune_resumes_an_interrupted_study_and_ends_with_n_trials(tiny):
    def stop_after_first(study, trial):
        raise Interrupted

    with pytest.raises(Interrupted):
        tune(tiny, "advanced_neggrad", 3, budget=10.0, on_trial=stop_after_first)
    name = study_name(tiny.to_dict(), "advanced_neggrad", 10.0)
    assert len(finished_trials(open_study(name, 0, 3))) == 1  # stored before the interruption

    doc = tune(tiny, "advanced_neggrad", 3, budget=10.0)
    assert [t["number"] for t in doc["trials"]] == [0, 1, 2]  # continued from trial 1, not restarted
    default_lr = METHODS.get("advanced_neggrad").Params().lr
    assert doc["trials"][0]["defaults"] and doc["trials"][0]["params"]["lr"] == default_lr  # the defaults ran first
    assert {t["state"] for t in doc["trials"]} <= {"COMPLETE", "PRUNED"}
    best = doc["best"]
    assert best["value"] == min(t["value"] for t in doc["trials"] if t["state"] == "COMPLETE")
    assert {"forget_acc", "mia_acc", "test_acc", "seconds"} <= set(best["metrics"])
    assert doc["scenario"]["method"] == {"name": "advanced_neggrad", "params": best["params"]}
    scenario_from_dict(doc["scenario"])  # the best setting launches as a normal run


def test_cli_tune_writes_the_document(tiny, tmp_path, capsys):
    from core.cli.main import main

    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(tiny.to_dict()))
    out = tmp_path / "tune.json"
    assert main(["tune", str(path), "--method", "finetune", "--trials", "1", "--budget", "10", "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert set(doc) >= {"best", "trials"} and len(doc["trials"]) == 1
    assert {"params", "metrics"} <= set(doc["best"])
    assert "scenario with the best setting" in capsys.readouterr().out


def _garble(table, index: torch.Tensor) -> None:
    g = torch.Generator().manual_seed(7)
    table.images[index] = torch.randint(0, 256, table.images[index].shape, generator=g, dtype=torch.uint8)
    for col in table.columns.values():
        col[index] = torch.randint(0, int(col.max()) + 1, (len(index),), generator=g)


def test_the_objective_never_reads_the_test_split(tiny):
    from core.pipeline import evaluate_model, prepare

    vprep = validation_prep(tiny)
    test = prepare(tiny).splits.test  # the scenario's real test split (the references come from the cache)
    assert not set(test.tolist()) & set(vprep.splits.index("test").tolist())  # the view's test is unseen's half
    params = {"epochs": 1, "lr": 0.01, "forget_weight": 1.0}
    target = gold_target(vprep, 10.0)
    before, metrics = TuneObjective(vprep, "advanced_neggrad", target).evaluate(params)
    full = dataclasses.replace(vprep, splits=dataclasses.replace(vprep.splits, test=test))
    reported = evaluate_model(full, vprep.original.model, 1.0)["test_acc"]

    _garble(vprep.splits.table, test)  # the test split's images and labels become noise
    assert evaluate_model(full, vprep.original.model, 1.0)["test_acc"] != reported  # reading test would show
    after, metrics_after = TuneObjective(vprep, "advanced_neggrad", gold_target(vprep, 10.0)).evaluate(params)
    assert after == before
    assert {k: v for k, v in metrics_after.items() if k not in ("seconds", "time_share")} == \
           {k: v for k, v in metrics.items() if k not in ("seconds", "time_share")}


def _study_with_a_good_trial() -> tuple[optuna.Study, Target]:
    """A study whose one finished trial sat exactly on the target at step 1 (value 0)."""
    study = optuna.create_study(pruner=optuna.pruners.MedianPruner(n_startup_trials=1, n_warmup_steps=0))
    target = Target({}, {"forget_acc": 0.5, "mia_acc": 0.5, "test_acc": 0.8}, 10.0, 0.1)
    good = study.ask()
    PruningProgress(good, target)(1, 2, stage="unlearn", forget_acc=0.5, mia_acc=0.5, test_acc=0.8)
    study.tell(good, 0.0)
    return study, target


def test_a_trial_worse_than_the_median_is_pruned(tmp_path):
    study, target = _study_with_a_good_trial()
    bad = study.ask()
    progress = PruningProgress(bad, target)
    progress(0, 2, stage="unlearn")  # not a live evaluation: nothing reported
    with pytest.raises(optuna.TrialPruned):
        progress(1, 2, stage="unlearn", forget_acc=1.0, mia_acc=0.9, test_acc=0.5)
    assert bad.storage.get_trial(bad._trial_id).intermediate_values == {1: pytest.approx(0.5 + 0.4 + 0.3)}


def test_a_trial_is_not_pruned_at_its_last_epoch():
    """Its compute is spent by then: a one-epoch trial inside the budget must reach its final value."""
    study, target = _study_with_a_good_trial()
    short = study.ask()
    PruningProgress(short, target)(1, 1, stage="unlearn", forget_acc=1.0, mia_acc=0.9, test_acc=0.5)  # no raise
    assert short.storage.get_trial(short._trial_id).intermediate_values == {1: pytest.approx(1.2)}


def test_every_declared_search_range_lies_within_its_bounds():
    declared = [n for n in METHODS.names() if any(f.metadata.get("search") for f in dataclasses.fields(METHODS.get(n).Params))]
    assert {"advanced_neggrad", "scrub", "finetune", "neggrad", "random_labels"} <= set(declared)
    for name in declared:
        assert space_problems(METHODS.get(name).Params) == [], name


def test_a_bad_declaration_is_named():
    @dataclasses.dataclass
    class Bad:
        lr: float = param(0.1, "x", min=0.0, max=1.0, search=(1e-3, 5.0, "log"))
        epochs: int = param(2, "x", min=1, max=9, search=(0.5, 3.0, "linear"))
        beta: float = param(0.5, "x", search=(0.0, 1.0, "log"))

    problems = " | ".join(space_problems(Bad))
    assert "Bad.lr: search range 0.001..5.0 leaves the field's bounds 0.0..1.0" in problems
    assert "Bad.epochs: search range 0.5..3.0 leaves" in problems and "kind 'linear' does not fit" in problems
    assert "Bad.beta: a log range must start above 0" in problems
