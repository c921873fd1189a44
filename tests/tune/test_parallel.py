"""unlearn tune --parallel: Ray workers share one Optuna study and stop at exactly --trials trials."""

from __future__ import annotations

import pytest

from core.config import scenario_from_dict
from core.tune.parallel import split_count
from core.tune.storage import finished_trials, open_study, study_name
from core.tune.study import tune


def test_split_count_covers_the_total_without_empty_shares():
    assert split_count(3, 2) == [2, 1]
    assert split_count(2, 5) == [1, 1]
    assert sum(split_count(7, 3)) == 7


def test_parallel_tune_on_local_ray_ends_with_exactly_the_asked_trials(tiny_scenario):
    pytest.importorskip("ray")
    tiny_scenario["method"] = {"name": "advanced_neggrad", "params": {}}
    sc = scenario_from_dict(tiny_scenario)
    seen = []
    doc = tune(sc, "advanced_neggrad", 3, budget=10.0, parallel=2, on_trial=lambda s, t: seen.append(t.number))
    study = open_study(study_name(sc.to_dict(), "advanced_neggrad", 10.0), 0, 3)
    trials = study.get_trials(deepcopy=False)
    states = [(t.number, t.state.name, t.value) for t in trials]
    finished = finished_trials(study)
    # exactly the asked number finish (2 + 1 split over the workers; the driver runs any the storage lost)
    assert len(finished) == 3, states
    assert [t["defaults"] for t in doc["trials"] if t["state"] != "FAIL"].count(True) == 1, states  # defaults ran once
    assert len({tuple(sorted(t.params.items())) for t in finished}) == 3  # workers sampled apart
    assert doc["best"] is not None and seen  # the driver saw the trials land
