"""The NeurIPS 2023 machine-unlearning challenge score (google-deepmind/unlearning_evaluation, metric.py).

For each forget example, the logit-scaled confidences ``log p_y − log(1 − p_y)`` under ``n`` unlearned models
(the method run from the same original with ``n`` seeds) and under ``n`` retrained models (retrain on retain
with ``n`` seeds) are two samples of one number's distribution. Every threshold rule of two families —
single thresholds over the whole range, and intervals ``[l, r]`` predicting the peakier side — gives an
(FPR, FNR) pair; the example's ε is the largest ``max(log((1 − δ − FPR)/FNR), log((1 − δ − FNR)/FPR))``,
clipped at 0, over the thresholds, with δ = 1e-5, as in the reference:

- a threshold with FPR = FNR = 0 (perfect separation) gives ε = ∞; one with only FPR or only FNR = 0 is
  dropped (too few samples to tell); a side whose spread is under 1% of the other's gets ε = 50 outright;
- ε is capped at 50 (``EPSILON_CAP``).

Points per example: 1 below ε = 0.5, then halving per 0.5 of ε (½, ¼, …) up to ``ceil(log(n − 1))``, the
largest ε ``n`` models per side can show; ε beyond it scores 0. The forgetting quality F is the mean of the
points (1 = indistinguishable from retraining), and the final score is
``F × (mean retain acc unlearned / retrained) × (mean test acc unlearned / retrained)``.

Departures, named: numpy in float64 instead of torch float32 on a GPU; the interval thresholds' counts by
binary search instead of a dense comparison matrix (the same counts); where every threshold is dropped (the
reference asserts) the example's ε is NaN and scores 0 points.
"""

from __future__ import annotations

import math

import numpy as np

DELTA = 1e-5
EPSILON_CAP = 50.0
NUM_THRESHOLDS_PER_UNIT = 100
BUCKET = 0.5
BUFFER = 2.0


def _counts_in(sorted_vals: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """How many of ``sorted_vals`` lie in ``[left, right]`` (inclusive), per threshold pair."""
    return np.searchsorted(sorted_vals, right, "right") - np.searchsorted(sorted_vals, left, "left")


def double_threshold_rates(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, ...]:
    """(tpr, fnr, fpr, tnr) of the interval rules: inside ``[l, r]`` predicts the peakier distribution."""
    pos_diff, neg_diff = np.ptp(pos), np.ptp(neg)
    smallest = neg_diff if pos_diff > neg_diff else pos_diff
    if pos_diff >= neg_diff:  # 'positive' is the peakiest distribution
        pos, neg = neg, pos
    width = smallest
    lo, hi = pos.min() + width - BUFFER, pos.max() + BUFFER
    right = np.linspace(lo, hi, num=int(np.ceil((hi - lo) * NUM_THRESHOLDS_PER_UNIT)))
    n_left = int(np.ceil(2 * BUFFER * NUM_THRESHOLDS_PER_UNIT))
    left = np.concatenate([np.linspace(tr - width - BUFFER, tr - width + BUFFER, num=n_left) for tr in right])
    right = np.repeat(right, n_left)
    tpr = _counts_in(np.sort(pos), left, right) / len(pos)
    fpr = _counts_in(np.sort(neg), left, right) / len(neg)
    return tpr, 1 - tpr, fpr, 1 - fpr


def single_threshold_rates(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, ...]:
    """(tpr, fnr, fpr, tnr) of ``value >= t`` for thresholds spanning both samples."""
    both = np.concatenate([pos, neg])
    t = np.linspace(both.min(), both.max(), int(np.ceil((both.max() - both.min()) * NUM_THRESHOLDS_PER_UNIT)))
    tpr = (pos[None, :] >= t[:, None]).mean(1)
    fpr = (neg[None, :] >= t[:, None]).mean(1)
    return tpr, 1 - tpr, fpr, 1 - fpr


def example_epsilon(pos: np.ndarray, neg: np.ndarray, delta: float = DELTA) -> float:
    """One example's ε from its confidences under the positive side's and the negative side's models."""
    pos, neg = np.asarray(pos, float).ravel(), np.asarray(neg, float).ravel()
    pos_diff, neg_diff = np.ptp(pos), np.ptp(neg)
    largest, smallest = max(pos_diff, neg_diff), min(pos_diff, neg_diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        if smallest / largest < 0.01:  # one side is very peaky: the worst ε (the reference's guard)
            return EPSILON_CAP
    rates = [np.concatenate(r) for r in zip(double_threshold_rates(pos, neg), single_threshold_rates(pos, neg))]
    tpr, fnr, fpr, tnr = rates
    with np.errstate(divide="ignore", invalid="ignore"):
        eps = np.clip(np.fmax(np.log(1 - delta - fpr) - np.log(fnr), np.log(1 - delta - fnr) - np.log(fpr)), 0, None)
    perfect = (fpr + fnr == 0) & (tpr + tnr == 2)
    eps = np.where(perfect, np.inf, np.where(fpr * fnr == 0, np.nan, eps))
    kept = eps[~np.isnan(eps)]
    return float(min(kept.max(), EPSILON_CAP)) if len(kept) else float("nan")


def epsilons(unlearned: np.ndarray, retrained: np.ndarray, delta: float = DELTA) -> np.ndarray:
    """Per-example ε from ``[n models, n examples]`` confidences; the positive side of each example is the one
    with the larger median (as the reference)."""
    u, r = np.asarray(unlearned, float), np.asarray(retrained, float)
    if u.shape != r.shape or u.ndim != 2:
        raise ValueError(f"epsilon: unlearned {u.shape} and retrained {r.shape} confidences must both be "
                         "[models, examples] of the same shape")
    retrain_pos = np.median(r, 0) > np.median(u, 0)
    pos, neg = np.where(retrain_pos, r, u), np.where(retrain_pos, u, r)
    return np.array([example_epsilon(pos[:, i], neg[:, i], delta) for i in range(u.shape[1])])


def max_epsilon(n_models: int) -> float:
    """The largest ε ``n_models`` per side can resolve (the reference's back-of-the-envelope ``ceil(log(n − 1))``)."""
    return float(np.ceil(np.log(n_models - 1))) if n_models > 1 else 0.0


def points(eps: np.ndarray, n_models: int) -> np.ndarray:
    """Each example's points: 1 below 0.5, halving per 0.5 of ε, 0 at or beyond :func:`max_epsilon`."""
    top = max_epsilon(n_models)
    n_buckets = 0
    while (n_buckets + 1) * BUCKET <= top:
        n_buckets += 1
    eps = np.asarray(eps, float)
    idx = np.floor(np.where(np.isnan(eps), np.inf, eps) / BUCKET)
    return np.where(idx < n_buckets, 0.5 ** np.minimum(idx, 60), 0.0)


def forget_quality(unlearned: np.ndarray, retrained: np.ndarray) -> tuple[float, np.ndarray]:
    """(F, per-example ε): F is the mean of the points over the forget examples."""
    eps = epsilons(unlearned, retrained)
    return float(points(eps, np.asarray(unlearned).shape[0]).mean()), eps


def bootstrap_f(unlearned: np.ndarray, retrained: np.ndarray, resamples: int = 50, seed: int = 0) -> list[float]:
    """A 95% interval of F over the *models*: each side's models redrawn with replacement (``resamples`` times).
    It shows how much F moves with which n models were drawn; it cannot show what more models would resolve
    (the ε ceiling, :func:`max_epsilon`)."""
    u, r = np.asarray(unlearned, float), np.asarray(retrained, float)
    rng = np.random.default_rng(seed)
    reps = []
    for _ in range(resamples):
        iu, ir = rng.integers(0, len(u), len(u)), rng.integers(0, len(r), len(r))
        reps.append(forget_quality(u[iu], r[ir])[0])
    return [float(np.percentile(reps, 2.5)), float(np.percentile(reps, 97.5))]


def final_score(f: float, retain_u: list[float], retain_r: list[float], test_u: list[float],
                test_r: list[float]) -> float:
    """F × retain-accuracy ratio × test-accuracy ratio (means over each side's models)."""
    rr, tr = float(np.mean(retain_r)), float(np.mean(test_r))
    if rr == 0 or tr == 0 or math.isnan(rr) or math.isnan(tr):
        return float("nan")
    return f * (float(np.mean(retain_u)) / rr) * (float(np.mean(test_u)) / tr)
