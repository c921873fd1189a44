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

from core.metrics.base import Evaluation, metric
from core.metrics.mia import attack_losses

MAX_ROC_POINTS = 200


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
        "(0.5 / low TPR = forgotten); the curve goes to extras['mia_roc']")
def mia_roc(ev: Evaluation) -> dict[str, float]:
    member_loss, nonmember_loss = attack_losses(ev)
    if ev.extras.get("mia_unavailable"):  # no honest non-members (or too few): no curve either
        member_loss = nonmember_loss = np.zeros(0)
    numbers, curve = roc_summary(-member_loss, -nonmember_loss, "mia")
    ev.extras["mia_roc"] = curve
    return numbers
