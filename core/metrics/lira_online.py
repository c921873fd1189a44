"""Online LiRA (Carlini et al., "Membership Inference Attacks From First Principles", S&P 2022).

Reference ("shadow") models are trained on a seeded half of retain plus a seeded half of the targets
(the forget set and its matched non-members; core/pipeline/references.py, ``with_targets=True``), so each target
is IN for half the references and OUT for the other half. Per target, its logit-scaled confidence
``φ = log p_y − log(1 − p_y)`` (core/metrics/lira.py) under the IN models and under the OUT models gives
two Gaussians; the model under test is scored by the likelihood ratio
``log N(φ; μ_in, σ_in) − log N(φ; μ_out, σ_out)`` (higher: "was trained on"). Below 64 references the
variances are pooled over all targets ("fixed variance", as the paper recommends for few shadows).

U-LiRA (Hayes et al., 2024), where the IN distribution comes from models trained with the example and then
*unlearned* with the method under test, is not implemented: it needs the method run once per reference
model and per forget split, which is beyond a 2-core machine's budget; this is plain online LiRA.
"""

from __future__ import annotations

import numpy as np

from core.metrics.attack_suite import ATTACKS, Scores, reference_inputs
from core.metrics.base import Evaluation
from core.metrics.lira import logit_confidence

FIXED_VARIANCE_BELOW = 64


def gaussian_logpdf(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
    return -0.5 * ((x - mu) / sigma) ** 2 - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def lira_online_scores(phi: np.ndarray, phi_refs: np.ndarray, keep: np.ndarray,
                       fixed_variance: bool | None = None) -> np.ndarray:
    """Per-target log likelihood ratio IN vs OUT from references' ``phi_refs[k, j]`` and ``keep[k, j]``."""
    phi_refs, keep = np.asarray(phi_refs, float), np.asarray(keep, bool)
    if not (keep.any(0).all() and (~keep).any(0).all()):
        raise ValueError("lira_online: every target must be IN for some reference and OUT for another; "
                         "use at least 2 reference models")
    n_in, n_out = keep.sum(0), (~keep).sum(0)
    mu_in = np.where(keep, phi_refs, 0).sum(0) / n_in
    mu_out = np.where(~keep, phi_refs, 0).sum(0) / n_out
    fixed = len(phi_refs) < FIXED_VARIANCE_BELOW if fixed_variance is None else fixed_variance
    if fixed:
        res_in, res_out = (phi_refs - mu_in)[keep], (phi_refs - mu_out)[~keep]
        s_in = np.full_like(mu_in, max(float(res_in.std()) if res_in.size > 1 else 0.0, 1e-3))
        s_out = np.full_like(mu_out, max(float(res_out.std()) if res_out.size > 1 else 0.0, 1e-3))
    else:
        s_in = np.sqrt(np.where(keep, (phi_refs - mu_in) ** 2, 0).sum(0) / np.maximum(n_in - 1, 1)).clip(1e-3)
        s_out = np.sqrt(np.where(~keep, (phi_refs - mu_out) ** 2, 0).sum(0) / np.maximum(n_out - 1, 1)).clip(1e-3)
    phi = np.asarray(phi, float)
    return gaussian_logpdf(phi, mu_in, s_in) - gaussian_logpdf(phi, mu_out, s_out)


@ATTACKS.register("lira_online", "online LiRA: per-example IN/OUT Gaussians of logit-scaled confidence from "
                                 "reference models trained with and without each target")
def lira_online_attack(ev: Evaluation) -> Scores | str:
    got = reference_inputs(ev, "lira_online")
    if isinstance(got, str):
        return got
    refs, task = got.refs, ev.splits.task
    phi_refs = np.stack([logit_confidence(task, lg, got.y) for lg in refs.logits(ev.splits, ev.device)])
    scores = lira_online_scores(logit_confidence(task, got.logits, got.y), phi_refs, refs.keep)
    return scores[: refs.n_forget], scores[refs.n_forget :]
