"""Loss-based membership inference (the MUFAC/MUCAC paper's attack), and how much it can tell.

Per-sample loss on forget (members) vs the matched non-members (unseen images like the forget set,
core/metrics/nonmembers.py), the larger side subsampled to the smaller so the attack is balanced;
a logistic regression on the loss; accuracy averaged over ``StratifiedShuffleSplit(n_splits=10)``.
0.5 means the attacker cannot tell them apart; the model to match is the gold model's own value.

The paper's shuffle split holds out 10% per fold, which needs at least 10 samples a side. Smaller
sets (down to 2 a side; a run forgetting 3 explicit samples) are attacked leave-one-pair-out: each
fold holds out one member and one non-member, so the attacker always trains on a balanced set
(plain leave-one-out would not: on losses that carry no signal it predicts the held-out sample's
opposite class every time and scores 0), averaged over several draws of the non-members.

``mia_n`` is how many samples a side were attacked, and ``mia_ci_low``/``mia_ci_high`` an approximate
95% Wilson interval of the accuracy over the ``2·mia_n`` attacked samples: with 3 samples a side it
spans about 0.2-0.8, i.e. the attack cannot tell a forgotten set from a remembered one. When it
cannot run at all the numbers are NaN and ``ev.extras["mia_unavailable"]`` says why.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit, cross_val_score

from core.metric_keys import Key
from core.metrics.base import NONMEMBER, Evaluation, metric

MIN_SHUFFLE_SIDE = 10  # the shuffle split's 10% test share holds one sample of each side from here on
MIN_SIDE = 2  # below this no fold can hold out a member and a non-member with both left to train on
SMALL_DRAWS = 10  # non-member draws averaged by the leave-one-pair-out attack
Z95 = 1.959964


@dataclass(frozen=True)
class AttackResult:
    """The attack's mean accuracy, the samples a side it used, and an approximate 95% interval."""

    accuracy: float
    n: int
    low: float
    high: float

    def as_metrics(self) -> dict[str, float]:
        return {"mia_acc": self.accuracy, "mia_n": float(self.n), "mia_ci_low": self.low, "mia_ci_high": self.high}


def wilson_interval(p: float, trials: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` observed over ``trials``."""
    if trials <= 0 or math.isnan(p):
        return float("nan"), float("nan")
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def balanced_scores(member: np.ndarray, nonmember: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores and labels (1 = member) with both sides subsampled to the smaller size."""
    rng = np.random.default_rng(seed)
    n = min(len(member), len(nonmember))
    m = rng.choice(member, n, replace=False) if len(member) > n else member
    u = rng.choice(nonmember, n, replace=False) if len(nonmember) > n else nonmember
    return np.concatenate([m, u]), np.concatenate([np.ones(len(m)), np.zeros(len(u))])


def _cv_accuracy(x: np.ndarray, y: np.ndarray, cv) -> float:
    return float(cross_val_score(LogisticRegression(), x.reshape(-1, 1), y, cv=cv, scoring="accuracy").mean())


def attack(member_loss: np.ndarray, nonmember_loss: np.ndarray, n_splits: int = 10, seed: int = 0) -> AttackResult:
    """The attack with its sample count and interval: the paper's shuffle split from 10 samples a side,
    leave-one-pair-out from 2, NaN below."""
    member, nonmember = np.asarray(member_loss, float), np.asarray(nonmember_loss, float)
    n = min(len(member), len(nonmember))
    if n < MIN_SIDE:
        return AttackResult(float("nan"), n, float("nan"), float("nan"))
    if n >= MIN_SHUFFLE_SIDE:
        x, y = balanced_scores(member, nonmember, seed)
        acc = _cv_accuracy(x, y, StratifiedShuffleSplit(n_splits=n_splits, random_state=seed))
    else:
        draws = SMALL_DRAWS if max(len(member), len(nonmember)) > n else 1
        acc = float(np.mean([_cv_accuracy(*balanced_scores(member, nonmember, seed + d),
                                          StratifiedKFold(n_splits=n, shuffle=True, random_state=seed + d))
                             for d in range(draws)]))
    return AttackResult(acc, n, *wilson_interval(acc, 2 * n))


def attack_accuracy(member_loss: np.ndarray, unseen_loss: np.ndarray, n_splits: int = 10, seed: int = 0) -> float:
    """Mean cross-validated accuracy of a logistic-regression attacker on the losses (NaN below 2 a side)."""
    return attack(member_loss, unseen_loss, n_splits, seed).accuracy


def per_sample_loss(ev: Evaluation, split: str, model=None) -> np.ndarray:
    """Task loss per sample of ``split`` under ``model`` (default: the model under test)."""
    return ev.splits.task.loss(ev.logits(split, model), ev.targets(split), reduction="none").numpy()


def unavailable_reason(ev: Evaluation, n_forget: int, n_nonmember: int) -> str:
    """Why the attack cannot be read for this request ('' when it can)."""
    if ev.nonmembers().reason:
        return ev.nonmembers().reason
    if min(n_forget, n_nonmember) < MIN_SIDE:
        return (f"{n_forget} forget and {n_nonmember} non-member image(s): the attack needs at least {MIN_SIDE} "
                "of each to train on some and test on others")
    return ""


def attack_losses(ev: Evaluation, model=None) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample losses of the members (forget) and the matched non-members under ``model`` (default:
    the model under test); records why in ``ev.extras["mia_unavailable"]`` when they cannot be attacked."""
    with torch.no_grad():
        member = per_sample_loss(ev, "forget", model)
        nonmember = per_sample_loss(ev, NONMEMBER, model) if ev.nonmembers().count else np.zeros(0)
    reason = unavailable_reason(ev, len(member), len(nonmember))
    if reason:
        ev.extras["mia_unavailable"] = reason
    return member, nonmember


@metric("mia", "mia_acc: loss-based membership attack accuracy, forget vs matched unseen (the gold model's value "
        "is the target, 0.5 a coin toss); mia_n samples a side and the 95% interval mia_ci_low..mia_ci_high",
        live=True, keys=(
            Key("mia_acc", "Membership attack", "How well an attacker tells forgotten images from never-seen ones like "
                "them (same class or attribute value) by their loss. The target is the gold model's value: a model "
                "that never saw the images can still sit away from 0.5, the coin toss.", "target", (0.0, 1.0), 0.5,
                live=True, color="#d62728", target="gold_mia_acc", target_word="gold", headline=True),
            Key("mia_n", "Attack samples a side", "Forgotten (and as many never-seen) images the attack used: with a "
                "handful it can tell very little."),
            Key("mia_ci_low", "Attack 95% low", "Lower end of an approximate 95% interval of the attack accuracy.",
                range=(0.0, 1.0)),
            Key("mia_ci_high", "Attack 95% high", "Upper end of an approximate 95% interval of the attack accuracy.",
                range=(0.0, 1.0))))
def mia(ev: Evaluation) -> dict[str, float]:
    member, nonmember = attack_losses(ev)
    result = attack(member, nonmember, n_splits=5 if ev.live else 10)
    return {"mia_acc": result.accuracy} if ev.live else result.as_metrics()  # per epoch: the number only


@metric("mia_gold", "mia_gold_gap: |mia_acc - the gold model's mia_acc| on the same non-members (0 = attacked "
        "like a model that never saw the forget set)",
        applies=lambda ev: ev.gold is not None and "mia_acc" in ev.results, keys=(
            Key("mia_gold_gap", "Attack gap to gold", "Distance of the membership attack from the gold model's, "
                "|MIA − gold's MIA|: 0 is best.", "lower", (0.0, 1.0)),))
def mia_gold(ev: Evaluation) -> dict[str, float]:
    """Twin Machine Unlearning's reading of the attack: the target is the gold model's accuracy, not 0.5
    (a model that never saw the forget set can still sit far from a coin toss on it)."""
    gold = ev.results["mia_acc"] if ev.gold is ev.model else attack(*attack_losses(ev, ev.gold)).accuracy
    return {"mia_gold_gap": abs(ev.results["mia_acc"] - gold)}


def live_attack_accuracy(model, splits, device: torch.device, settings: dict | None = None) -> float:
    """``mia_acc`` of ``model`` as the live chart computes it (live cap and folds): the pipeline reports the
    gold model's value once as ``gold_mia_acc`` so the chart's gold line is comparable with its points."""
    ev = Evaluation(model, splits, device, live=True, settings=dict(settings or {}))
    return mia(ev)["mia_acc"]


def attack_notes(rows: list[dict]) -> dict[str, list[str]]:
    """What stored results rows' extras say about the attack, each text once: ``unavailable``, why no
    attack number could be computed (to be shown instead of a number), and ``nonmembers``, how the
    non-members were chosen and how many (read by the dashboard and the HTML report)."""
    unavailable: dict[str, None] = {}
    rules: dict[str, None] = {}
    for row in rows:
        extras = row.get("extras") or {}
        if extras.get("mia_unavailable"):
            unavailable[str(extras["mia_unavailable"])] = None
        nm = extras.get("nonmembers")
        if isinstance(nm, dict) and nm.get("rule"):
            rules[f"{nm['rule']} ({nm.get('count', 0)} images)"] = None
    return {"unavailable": list(unavailable), "nonmembers": list(rules)}
