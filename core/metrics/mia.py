"""Loss-based membership inference (the MUFAC/MUCAC paper's attack).

Per-sample loss on forget (members) vs unseen (non-members), the larger side subsampled to the
smaller so the attack is balanced; a logistic regression on the loss; accuracy averaged over
``StratifiedShuffleSplit(n_splits=10)``. 0.5 means the attacker cannot tell them apart.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit, cross_val_score

from core.metrics.base import Evaluation, metric


def balanced_scores(member: np.ndarray, nonmember: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels (1 = member) with both sides subsampled to the smaller size."""
    rng = np.random.default_rng(seed)
    n = min(len(member), len(nonmember))
    m = rng.choice(member, n, replace=False) if len(member) > n else member
    u = rng.choice(nonmember, n, replace=False) if len(nonmember) > n else nonmember
    return np.concatenate([m, u]), np.concatenate([np.ones(len(m)), np.zeros(len(u))])


def attack_accuracy(member_loss: np.ndarray, unseen_loss: np.ndarray, n_splits: int = 10, seed: int = 0) -> float:
    """Mean cross-validated accuracy of a logistic-regression attacker on the losses."""
    x, y = balanced_scores(np.asarray(member_loss, float), np.asarray(unseen_loss, float), seed)
    if len(x) < 4:
        return float("nan")
    cv = StratifiedShuffleSplit(n_splits=n_splits, random_state=seed)
    return float(cross_val_score(LogisticRegression(), x.reshape(-1, 1), y, cv=cv, scoring="accuracy").mean())


def per_sample_loss(ev: Evaluation, split: str) -> np.ndarray:
    return ev.splits.task.loss(ev.logits(split), ev.targets(split), reduction="none").numpy()


@metric("mia", "mia_acc: loss-based membership attack accuracy, forget vs unseen (0.5 = forgotten)", live=True)
def mia(ev: Evaluation) -> dict[str, float]:
    with torch.no_grad():
        return {"mia_acc": attack_accuracy(per_sample_loss(ev, "forget"), per_sample_loss(ev, "unseen"),
                                           n_splits=5 if ev.live else 10)}
