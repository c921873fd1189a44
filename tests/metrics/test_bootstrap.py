"""Bootstrap intervals on hand-made per-image data: they hold the true value, have the width the unit
count implies, and resample people (two images of one person move together), not images."""

from __future__ import annotations

import numpy as np
import pytest

from core.metrics.bootstrap import (UnitSample, abs_interval, bootstrap_intervals, mean_replicates,
                                    threshold_accuracy, unit_weights)


def _people(n_people: int, per: int, right: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit codes and correctness: the first ``right`` people have every image right, the rest none."""
    units = np.repeat(np.arange(n_people), per)
    return units, (units < right).astype(float)


def test_images_of_one_person_get_the_same_weight():
    units = np.array([0, 0, 1, 2, 2, 2])
    w = unit_weights(units, 50, np.random.default_rng(0))
    assert (w[:, 0] == w[:, 1]).all() and (w[:, 3] == w[:, 4]).all() and (w[:, 4] == w[:, 5]).all()
    assert np.allclose(w[:, [0, 2, 3]].sum(1), 3)  # each resample draws 3 people
    assert not (w[:, 0] == w[:, 2]).all()  # different people vary independently


def test_forget_accuracy_interval_by_people_holds_the_truth_with_the_expected_width():
    units, correct = _people(50, 4, 30)  # 30 of 50 people remembered: 0.6
    ci = bootstrap_intervals(UnitSample(units, correct), {"forget_acc": 0.6}, b=400)["forget_acc"]
    se = np.sqrt(0.6 * 0.4 / 50)  # by people: 50 units, not 200 images
    assert ci[0] < 0.6 < ci[1]
    assert 0.7 * 2 * 1.96 * se < ci[1] - ci[0] < 1.3 * 2 * 1.96 * se


def test_resampling_people_not_images_widens_the_interval():
    units, correct = _people(50, 4, 30)
    by_person = bootstrap_intervals(UnitSample(units, correct), {"forget_acc": 0.6}, b=400)["forget_acc"]
    by_image = bootstrap_intervals(UnitSample(np.arange(200), correct), {"forget_acc": 0.6}, b=400)["forget_acc"]
    # four images per person moving together: the interval is about sqrt(4) = 2 times wider
    assert (by_person[1] - by_person[0]) > 1.6 * (by_image[1] - by_image[0])


def test_three_people_give_a_wide_interval():
    units, correct = _people(3, 30, 2)  # 90 images, but 3 units
    ci = bootstrap_intervals(UnitSample(units, correct), {"forget_acc": 2 / 3}, b=400)["forget_acc"]
    assert ci[0] == 0.0 and ci[1] == 1.0  # every person left out or drawn three times happens


def test_mean_replicates_are_the_image_bootstrap():
    values = np.r_[np.ones(70), np.zeros(30)]
    reps = mean_replicates(values, 4000, np.random.default_rng(1))
    assert reps.mean() == pytest.approx(0.7, abs=0.005)
    assert reps.std() == pytest.approx(np.sqrt(0.7 * 0.3 / 100), rel=0.1)


def test_attack_interval_is_centred_on_the_reported_accuracy():
    rng = np.random.default_rng(0)
    units = np.repeat(np.arange(20), 5)
    separated = UnitSample(units, np.ones(100), member_loss=rng.normal(0.1, 0.05, 100), nonmember_units=np.arange(100),
                           nonmember_loss=rng.normal(2.0, 0.3, 100))
    ci = bootstrap_intervals(separated, {"mia_acc": 0.98}, b=200)["mia_acc"]
    assert 0.9 < ci[0] <= 0.98 <= ci[1] <= 1.0
    same = UnitSample(units, np.ones(100), member_loss=rng.normal(1, 0.3, 100), nonmember_units=np.arange(100),
                      nonmember_loss=rng.normal(1, 0.3, 100))
    ci = bootstrap_intervals(same, {"mia_acc": 0.5, "forgetting_score": 0.0}, b=200)
    assert ci["mia_acc"][0] < 0.5 < ci["mia_acc"][1]
    assert ci["forgetting_score"][0] == 0.0 < ci["forgetting_score"][1] < 0.3


def test_threshold_accuracy_finds_the_cut_either_way():
    one = np.ones((1, 3))
    assert threshold_accuracy(one, np.array([0.0, 0.1, 0.2]), one, np.array([1.0, 1.1, 1.2]))[0] == 1.0
    assert threshold_accuracy(one, np.array([1.0, 1.1, 1.2]), one, np.array([0.0, 0.1, 0.2]))[0] == 1.0
    assert threshold_accuracy(one, np.array([1.0, 1.0, 1.0]), one, np.array([1.0, 1.0, 1.0]))[0] == 0.5  # ties: no cut


def test_paired_gold_gap_and_absolute_intervals():
    units, correct = _people(40, 2, 20)
    gold = correct.copy()
    same = bootstrap_intervals(UnitSample(units, correct, gold_forget_correct=gold), {"gold_gap": 0.0})["gold_gap"]
    assert same == [0.0, 0.0]  # paired on the same people: the same predictions never differ
    assert abs_interval(np.array([-0.2, -0.1, 0.1, 0.3]))[0] == 0.0
    assert abs_interval(np.linspace(-0.5, -0.2, 50)) == pytest.approx([0.2075, 0.4925], abs=0.01)


def test_efficacy_is_a_binomial_over_the_attacked_images():
    s = UnitSample(np.arange(10), np.ones(10), test_correct=np.r_[np.ones(80), np.zeros(20)], efficacy_n=400)
    ci = bootstrap_intervals(s, {"efficacy": 0.6, "fidelity": 0.8, "aum": 0.5, "test_acc": 0.8}, b=400)
    half = 1.96 * np.sqrt(0.6 * 0.4 / 400)
    assert ci["efficacy"] == pytest.approx([0.6 - half, 0.6 + half], abs=0.015)
    assert ci["fidelity"] == ci["test_acc"] and ci["aum"][0] < ci["aum"][1]


def test_seeded():
    units, correct = _people(10, 3, 5)
    a = bootstrap_intervals(UnitSample(units, correct), {"forget_acc": 0.5}, seed=3)
    assert a == bootstrap_intervals(UnitSample(units, correct), {"forget_acc": 0.5}, seed=3)
