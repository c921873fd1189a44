"""Group fairness of a binary task with respect to a sensitive attribute: EOD, DPD and APS.

The feature-unlearning paper measures model bias with fairlearn's ``equalized_odds_difference``
(the larger of the true- and false-positive-rate gaps between the attribute's groups) and
``demographic_parity_difference`` (the gap in positive-prediction rates), and task performance with
the average precision score. These are fairlearn's and scikit-learn's own functions, not
re-derivations. As a metric they apply to attribute requests on a single binary task head: the
sensitive attribute is the requested column (for debiasing, the bias feature being unlearned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.metric_keys import Key
from core.metrics.base import Evaluation, metric


@dataclass(frozen=True)
class Fairness:
    eod: float
    dpd: float
    aps: float


def fairness_scores(y_true: np.ndarray, y_pred: np.ndarray, sensitive: np.ndarray,
                    y_score: np.ndarray | None = None) -> Fairness:
    """EOD and DPD (fairlearn, between groups, worst case) and APS of ``y_score`` (nan without scores)."""
    from fairlearn.metrics import demographic_parity_difference, equalized_odds_difference
    from sklearn.metrics import average_precision_score

    y_true, y_pred, sensitive = (np.asarray(a).ravel() for a in (y_true, y_pred, sensitive))
    if not len(y_true) == len(y_pred) == len(sensitive):
        raise ValueError(f"fairness: y_true, y_pred and sensitive must have one value per sample "
                         f"(got {len(y_true)}, {len(y_pred)}, {len(sensitive)})")
    if len(np.unique(sensitive)) < 2:
        raise ValueError("fairness: the sensitive attribute takes a single value here; "
                         "group gaps need samples from at least two groups")
    eod = equalized_odds_difference(y_true, y_pred, sensitive_features=sensitive)
    dpd = demographic_parity_difference(y_true, y_pred, sensitive_features=sensitive)
    aps = float("nan")
    if y_score is not None and len(np.unique(y_true)) == 2:
        aps = average_precision_score(y_true, np.asarray(y_score).ravel())
    return Fairness(float(eod), float(dpd), float(aps))


def _applies(ev: Evaluation) -> bool:
    req, task = ev.splits.request, ev.splits.task
    return (req.kind == "attribute" and bool(req.column) and not task.is_multi
            and task.num_classes[0] == 2 and req.column in ev.splits.table.columns
            and req.column not in task.columns)


@metric("fairness", "eod, dpd, aps: bias of the binary task w.r.t. the requested attribute on test "
        "(fairlearn's equalized-odds and demographic-parity differences; average precision)",
        live=True, applies=_applies, keys=(
            Key("eod", "Equalized-odds gap", "Largest gap in true- or false-positive rate between the groups of the "
                "requested attribute on test (fairlearn): 0 is a model fair by that attribute.", "lower", (0.0, 1.0)),
            Key("dpd", "Demographic-parity gap", "Gap in the share of positive predictions between the attribute's "
                "groups on test (fairlearn): 0 is parity.", "lower", (0.0, 1.0)),
            Key("aps", "Average precision", "Average precision of the binary task on test (scikit-learn): the task "
                "must stay solved while the bias goes.", "higher", (0.0, 1.0))))
def fairness(ev: Evaluation) -> dict[str, float]:
    idx = ev.index("test")
    sensitive = ev.splits.table.columns[ev.splits.request.column][idx].numpy()
    if len(np.unique(sensitive)) < 2:
        return {}
    logits = ev.logits("test")
    y = ev.targets("test")[:, 0].numpy()
    scores = logits.softmax(1)[:, 1].numpy()
    f = fairness_scores(y, logits.argmax(1).numpy(), sensitive, scores)
    return {"eod": f.eod, "dpd": f.dpd, "aps": f.aps}
