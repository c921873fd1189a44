"""The generalization-label predictor: an MLP (hidden 64, 32, ReLU, SGD 0.01, momentum 0.9, 100
epochs, the paper's settings) on the features of the twin forget set, applied to the real one.

Two decision rules. ``threshold`` is the paper's (hard where P(hard) > 0.5). ``count`` marks the k
most likely samples hard, k = the median of the number of hard samples the probabilities imply
(a Poisson-binomial count): the accuracy gap to the gold model is |k - true count| / n when the
push-down works, and the median minimises its expectation. It matters when hard samples are rare
and a 0.5 threshold would call every sample easy, or when they are common and it calls too many.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from core.methods.tmu.features import FEATURES

DECISIONS = ("threshold", "count")


@dataclass
class Predictor:
    """A fitted scaler + MLP over some feature columns; a constant when the twin set had one label."""

    columns: tuple[int, ...]
    scaler: StandardScaler | None = None
    mlp: MLPClassifier | None = None
    constant: float = 0.0

    def proba(self, X: np.ndarray) -> np.ndarray:
        """P(hard) for each row of the full feature matrix."""
        if self.mlp is None:
            return np.full(len(X), self.constant)
        cols = np.nan_to_num(X[:, list(self.columns)])
        return self.mlp.predict_proba(self.scaler.transform(cols))[:, list(self.mlp.classes_).index(1)]


def fit_predictor(X: np.ndarray, y: np.ndarray, seed: int = 0, columns: tuple[int, ...] = (0, 1, 2),
                  epochs: int = 100) -> Predictor:
    """Fit the MLP on twin features ``X`` and labels ``y`` (1 = hard) using feature ``columns``."""
    y = np.asarray(y, int)
    if len(np.unique(y)) < 2:
        return Predictor(columns, constant=float(y[0]) if len(y) else 0.0)
    cols = np.nan_to_num(X[:, list(columns)])
    scaler = StandardScaler().fit(cols)
    mlp = MLPClassifier(hidden_layer_sizes=(64, 32), activation="relu", solver="sgd", learning_rate_init=0.01,
                        momentum=0.9, alpha=5e-4, max_iter=epochs, batch_size=min(32, len(y)), random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(scaler.transform(cols), y)
    return Predictor(columns, scaler, mlp)


def decide(p_hard: np.ndarray, rule: str) -> np.ndarray:
    """Predicted labels (1 = hard) from P(hard) under a decision rule."""
    if rule == "threshold":
        return (p_hard > 0.5).astype(int)
    if rule == "count":
        k = median_count(p_hard)
        out = np.zeros(len(p_hard), int)
        out[np.argsort(-p_hard, kind="stable")[:k]] = 1
        return out
    raise ValueError(f"tmu.decision: {rule!r} is not allowed; allowed: {', '.join(DECISIONS)}")


def median_count(p: np.ndarray) -> int:
    """The median of the number of successes of independent Bernoulli(p_i) trials."""
    dist = np.ones(1)
    for pi in np.clip(np.asarray(p, float), 0.0, 1.0):
        nxt = np.zeros(len(dist) + 1)
        nxt[:-1] += dist * (1 - pi)
        nxt[1:] += dist * pi
        dist = nxt
    return int(np.searchsorted(np.cumsum(dist), 0.5))


def accuracy(pred: np.ndarray, truth: np.ndarray | None) -> float | None:
    """Share of predicted labels equal to the true ones (None when the truth is unknown)."""
    if truth is None or len(truth) == 0:
        return None
    return float(np.mean(np.asarray(pred) == np.asarray(truth)))


def feature_subsets() -> list[tuple[int, ...]]:
    """All three features together, then each alone (the paper's Table 4), then each pair."""
    n = len(FEATURES)
    return [tuple(range(n)), *[(i,) for i in range(n)], *combinations(range(n), 2)]


def subset_name(columns: tuple[int, ...]) -> str:
    return "+".join(FEATURES[i] for i in columns)


def ablation(twin_X: np.ndarray, twin_y: np.ndarray, real_X: np.ndarray, real_y: np.ndarray | None,
             rule: str = "threshold", seed: int = 0, subsets: list[tuple[int, ...]] | None = None) -> list[dict]:
    """Fit the predictor on each feature subset; its accuracy on the twin set (fit) and the real forget set."""
    rows = []
    for cols in subsets or feature_subsets():
        pred = fit_predictor(twin_X, twin_y, seed, cols)
        twin_pred, real_pred = decide(pred.proba(twin_X), rule), decide(pred.proba(real_X), rule)
        rows.append({"features": subset_name(cols), "twin_acc": accuracy(twin_pred, twin_y),
                     "forget_acc": accuracy(real_pred, real_y), "n_hard_pred": int(real_pred.sum())})
    return rows
