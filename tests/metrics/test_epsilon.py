"""The NeurIPS'23 ε-score against hand-made confidence distributions (core/metrics/epsilon_score.py)."""

from __future__ import annotations

import numpy as np
import pytest

from core.metrics.epsilon_score import (EPSILON_CAP, bootstrap_f, example_epsilon, final_score, forget_quality,
                                        max_epsilon, points)


def test_identical_distributions_give_epsilon_near_zero_and_full_points():
    rng = np.random.default_rng(0)
    same = rng.normal(0, 1, size=(64, 5))
    f, eps = forget_quality(same, same.copy())
    assert np.all(eps < 0.05)
    assert f == 1.0


def test_a_planted_separation_is_found_large_epsilon_few_points():
    rng = np.random.default_rng(1)
    retrained = rng.normal(0, 1, size=(64, 4))
    unlearned = rng.normal(6, 1, size=(64, 4))  # the unlearned models still know these examples
    f, eps = forget_quality(unlearned, retrained)
    assert np.all(eps >= max_epsilon(64))  # beyond what 64 models resolve
    assert f == 0.0
    # a mild shift is in between: some ε, fewer than full points
    f_mild, eps_mild = forget_quality(rng.normal(0.8, 1, size=(64, 4)), rng.normal(0, 1, size=(64, 4)))
    assert 0 < f_mild < 1 and np.all(eps_mild > 0.1)


def test_points_halve_per_half_epsilon_up_to_the_resolution_limit():
    assert max_epsilon(64) == np.ceil(np.log(63))  # 5
    assert list(points(np.array([0.0, 0.49, 0.5, 1.2, 4.9, 5.0, np.inf, np.nan]), 64)) == \
        [1.0, 1.0, 0.5, 0.25, 0.5 ** 9, 0.0, 0.0, 0.0]
    assert points(np.array([0.0]), 2)[0] == 0.0  # 2 models per side resolve nothing: the reference gives 0


def test_a_peaky_side_gets_the_cap_and_scores_combine_with_accuracy_ratios():
    assert example_epsilon(np.full(16, 1.0) + np.arange(16) * 1e-4, np.linspace(-3, 3, 16)) == EPSILON_CAP
    assert final_score(0.5, [0.8], [1.0], [0.9], [0.9]) == pytest.approx(0.4)


def test_bootstrap_interval_over_models_brackets_f():
    rng = np.random.default_rng(2)
    u, r = rng.normal(0.5, 1, size=(16, 3)), rng.normal(0, 1, size=(16, 3))
    lo, hi = bootstrap_f(u, r, resamples=10)
    assert 0 <= lo <= hi <= 1


def test_independent_samples_of_one_distribution_score_below_one_at_small_n():
    """The estimator's upward bias the report's note warns about: retraining vs retraining is not F = 1."""
    rng = np.random.default_rng(0)
    f, _ = forget_quality(rng.normal(0, 1, (16, 20)), rng.normal(0, 1, (16, 20)))
    assert 0 < f < 0.6
