"""The easy/hard predictor on planted features, its decision rules, and the feature ablation."""

from __future__ import annotations

import numpy as np
import pytest

from core.methods.tmu.predictor import ablation, accuracy, decide, feature_subsets, fit_predictor, median_count


def planted(n: int, hard_share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Hard samples sit higher on NF and AF; CF is noise."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < hard_share).astype(int)
    X = rng.normal(size=(n, 3))
    X[:, 0] += 2.5 * y
    X[:, 1] += 2.5 * y
    return X, y


def test_predictor_beats_chance_on_a_planted_split():
    twin_X, twin_y = planted(300, 0.4, 0)
    real_X, real_y = planted(100, 0.4, 1)
    pred = fit_predictor(twin_X, twin_y, seed=0)
    acc = accuracy(decide(pred.proba(real_X), "threshold"), real_y)
    majority = max(real_y.mean(), 1 - real_y.mean())
    assert acc > 0.85 and acc > majority + 0.2


def test_a_single_label_twin_set_gives_a_constant_predictor():
    X, _ = planted(20, 0.5, 0)
    pred = fit_predictor(X, np.zeros(20, int))
    assert pred.mlp is None and pred.proba(X).tolist() == [0.0] * 20


@pytest.mark.parametrize("p, k", [
    ([0.02] * 26, 0),   # expected 0.52 hard, but 0 is the most likely count
    ([0.03] * 26, 1),
    ([0.5] * 10, 5),
    ([0.9, 0.9, 0.1], 2),
    ([], 0),
])
def test_median_count(p, k):
    assert median_count(np.array(p)) == k


def test_count_rule_marks_the_most_likely_samples():
    p = np.array([0.1, 0.9, 0.2, 0.8, 0.05])
    assert decide(p, "count").tolist() == [0, 1, 0, 1, 0]
    assert decide(p, "threshold").tolist() == [0, 1, 0, 1, 0]
    rare = np.full(30, 0.3)
    assert decide(rare, "threshold").sum() == 0 and decide(rare, "count").sum() == 9


def test_unknown_rule_is_explained():
    with pytest.raises(ValueError, match="allowed: threshold, count"):
        decide(np.zeros(3), "vote")


def test_ablation_runs_every_subset_and_informative_features_win():
    twin_X, twin_y = planted(300, 0.4, 0)
    real_X, real_y = planted(100, 0.4, 1)
    rows = {r["features"]: r for r in ablation(twin_X, twin_y, real_X, real_y)}
    assert list(rows) == ["NF+AF+CF", "NF", "AF", "CF", "NF+AF", "NF+CF", "AF+CF"]
    assert len(feature_subsets()) == 7
    assert rows["NF+AF"]["forget_acc"] > rows["CF"]["forget_acc"] + 0.15
    assert rows["NF"]["forget_acc"] > 0.75 and rows["AF"]["forget_acc"] > 0.75
    no_truth = ablation(twin_X, twin_y, real_X, None, subsets=[(0,)])
    assert no_truth[0]["forget_acc"] is None and no_truth[0]["twin_acc"] > 0.75
