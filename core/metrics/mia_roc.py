"""ROC of the loss-based membership attack: mia_auc, mia_tpr_at_1fpr, mia_tpr_at_0_1fpr.

Same scores as ``mia_acc`` (core/metrics/mia.py): each sample's task loss under the model, forget
samples as members and the matched unseen samples (core/metrics/nonmembers.py) as non-members; the attack score is ``−loss`` (a low loss
says "member"). Unlike ``mia_acc`` there is no classifier and no subsampling: a ROC curve does not
depend on how many of each side there are, so every forget and matched unseen sample is used. The curve
is sklearn's ``roc_curve``; AUC 0.5 means the attacker cannot tell the sides apart, and AUC below
0.5 means the forget samples now have *higher* loss than never-seen ones (over-forgetting, which
is also visible). TPR at a given FPR is the highest true-positive rate among thresholds whose
false-positive rate is at most that value (the low-FPR reading of Carlini et al.); with fewer than
1,000 non-members, 0.1% FPR means "no false positive at all". The curve's points (thinned to at
most 200) go to ``ev.extras["mia_roc"]`` for the dashboard.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

from core.metric_keys import Key
from core.metrics.base import Evaluation, metric
from core.metrics.mia import attack_losses

MAX_ROC_POINTS = 200
LOW_FPRS = ((0.01, "1fpr"), (0.001, "0_1fpr"), (0.0001, "0_01fpr"))
"""The false-positive rates every attack of ``evaluation.attacks`` reports a TPR at, with their key suffixes."""


def roc_keys(prefix: str, attack: str, fprs: tuple[tuple[float, str], ...] = LOW_FPRS[:2]) -> tuple[Key, ...]:
    """The declarations of an attack's ``<prefix>_auc`` and ``<prefix>_tpr_at_<suffix>`` keys, in words."""
    name = attack[:1].upper() + attack[1:]  # "Loss attack AUC"; a "{attack}" placeholder stays as it is
    auc = Key(f"{prefix}_auc", f"{name} AUC", f"Area under the ROC curve of the {attack} telling forgotten images "
              "from matched never-seen ones: 0.5 is a coin toss; the target is the gold model's value.",
              "target", (0.0, 1.0), 0.5)
    return (auc, *(Key(f"{prefix}_tpr_at_{suffix}", f"{name} TPR at {f * 100:g}% FPR",
                       f"Share of forgotten images the {attack} catches while flagging {f * 100:g}% of never-seen ones: "
                       "a forgotten set sits near that rate (the target is the gold model's value).",
                       "target", (0.0, 1.0), f) for f, suffix in fprs))


def tpr_at_fpr(fpr: np.ndarray, tpr: np.ndarray, target: float) -> float:
    """The highest TPR among ROC points with FPR <= ``target``."""
    ok = fpr <= target + 1e-12
    return float(tpr[ok].max()) if ok.any() else 0.0


def thin_curve(fpr: np.ndarray, tpr: np.ndarray, max_points: int = MAX_ROC_POINTS) -> dict[str, list[float]]:
    """At most ``max_points`` ROC points (ends kept), as plain rounded floats for JSON."""
    idx = np.arange(len(fpr))
    if len(idx) > max_points:
        idx = np.unique(np.linspace(0, len(fpr) - 1, max_points).round().astype(int))
    return {"fpr": [round(float(v), 5) for v in fpr[idx]], "tpr": [round(float(v), 5) for v in tpr[idx]]}


def roc_summary(member_scores: np.ndarray, nonmember_scores: np.ndarray, prefix: str) -> tuple[dict[str, float], dict]:
    """AUC and TPR at 1% and 0.1% FPR for scores where higher means "member", plus the thinned curve."""
    m, u = np.asarray(member_scores, float), np.asarray(nonmember_scores, float)
    if len(m) == 0 or len(u) == 0:
        nan = float("nan")
        return {f"{prefix}_auc": nan, f"{prefix}_tpr_at_1fpr": nan, f"{prefix}_tpr_at_0_1fpr": nan}, {}
    y = np.concatenate([np.ones(len(m)), np.zeros(len(u))])
    s = np.concatenate([m, u])
    fpr, tpr, _ = roc_curve(y, s)
    auc = float(roc_auc_score(y, s))
    numbers = {f"{prefix}_auc": auc, f"{prefix}_tpr_at_1fpr": tpr_at_fpr(fpr, tpr, 0.01),
               f"{prefix}_tpr_at_0_1fpr": tpr_at_fpr(fpr, tpr, 0.001)}
    curve = {**thin_curve(fpr, tpr), "auc": round(auc, 5), "members": int(len(m)), "nonmembers": int(len(u))}
    return numbers, curve


@metric("mia_roc", "mia_auc, mia_tpr_at_1fpr, mia_tpr_at_0_1fpr: ROC of the loss attack, forget vs matched unseen "
        "(0.5 / low TPR = forgotten); the curve goes to extras['mia_roc']", keys=roc_keys("mia", "loss attack"))
def mia_roc(ev: Evaluation) -> dict[str, float]:
    member_loss, nonmember_loss = attack_losses(ev)
    if ev.extras.get("mia_unavailable"):  # no honest non-members (or too few): no curve either
        member_loss = nonmember_loss = np.zeros(0)
    numbers, curve = roc_summary(-member_loss, -nonmember_loss, "mia")
    ev.extras["mia_roc"] = curve
    return numbers


def needed_nonmembers(fpr: float) -> int:
    """How many non-members a TPR at ``fpr`` needs to mean anything: at least one false positive must be
    possible within the budget, i.e. ``ceil(1 / fpr)`` of them (100 for 1%, 1,000 for 0.1%, 10,000 for 0.01%)."""
    return int(np.ceil(1.0 / fpr - 1e-9))


def attack_summary(member_scores: np.ndarray, nonmember_scores: np.ndarray,
                   prefix: str) -> tuple[dict[str, float], dict, list[str]]:
    """:func:`roc_summary` with TPR at 1%, 0.1% and 0.01% FPR where the non-members support it.

    A TPR at FPR ``f`` read off fewer than ``1/f`` non-members is "no false positive at all", not a rate
    at ``f``: it is NaN here, and the returned notes say how many non-members it would need."""
    numbers, curve = roc_summary(member_scores, nonmember_scores, prefix)
    n_non = len(np.asarray(nonmember_scores))
    out = {f"{prefix}_auc": numbers[f"{prefix}_auc"]}
    notes = []
    fpr = np.asarray(curve.get("fpr", []), float)
    tpr = np.asarray(curve.get("tpr", []), float)
    if n_non and len(member_scores):  # from the full curve, not the thinned one
        y = np.concatenate([np.ones(len(member_scores)), np.zeros(n_non)])
        fpr, tpr, _ = roc_curve(y, np.concatenate([np.asarray(member_scores, float),
                                                   np.asarray(nonmember_scores, float)]))
    for f, suffix in LOW_FPRS:
        need = needed_nonmembers(f)
        if n_non >= need and len(fpr):
            out[f"{prefix}_tpr_at_{suffix}"] = tpr_at_fpr(fpr, tpr, f)
        else:
            out[f"{prefix}_tpr_at_{suffix}"] = float("nan")
            notes.append(f"{prefix} TPR at {f:.2%} FPR needs ≥{need:,} non-members ({n_non:,} here)")
    return out, curve, notes
