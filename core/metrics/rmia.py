"""RMIA (Zarifzadeh, Liu, Pang, Shokri, "Low-Cost High-Power Membership Inference Attacks", ICML 2024).

For a target example x and a population example z, the pairwise likelihood ratio compares how much more
the model under test θ likes x than a typical model does, relative to the same for z:

    LR(x) = Pr(x | θ) / Pr(x),   score(x) = share of z with LR(x) / LR(z) > γ.

``Pr(x | θ)`` is θ's softmax probability of x's true label (averaged over a multi-label task's heads).
``Pr(x)`` is that probability averaged over reference models. Here they are *offline* references, which
never trained on any target (core/pipeline/references.py, ``with_targets=False``), so ``Pr_OUT(x)`` underestimates
the average over in- and out-models; the paper's linear approximation corrects it,
``Pr(x) = ½((1 + a) · Pr_OUT(x) + (1 − a))``, applied alike to x and z (both are out for every reference).
One reference model is enough (the paper's point: strong with few references).

The population z are the matched non-members (core/metrics/nonmembers.py): images neither θ nor any
reference trained on, like the forget set in what defines it. A non-member target is never compared with
itself (its own pair is left out). ``a = 0.3`` and ``γ = 1`` are the paper's CIFAR-10 offline settings;
they are module constants, not tuned here.
"""

from __future__ import annotations

import numpy as np
import torch

from core.metrics.attack_suite import ATTACKS, Scores, reference_inputs
from core.metrics.base import Evaluation

OFFLINE_A = 0.3
GAMMA = 1.0


def true_label_prob(task, logits: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """Softmax probability of the true label per example, averaged over the task's heads."""
    per_head = [h.float().softmax(1).gather(1, y[:, k : k + 1]).squeeze(1) for k, h in enumerate(task.heads(logits))]
    return torch.stack(per_head, 1).mean(1).numpy().astype(np.float64)


def marginal(p_refs: np.ndarray, a: float = OFFLINE_A) -> np.ndarray:
    """``Pr(x)`` from out-references ``[n_refs, n]``: the paper's offline approximation."""
    return 0.5 * ((1.0 + a) * np.asarray(p_refs, float).mean(0) + (1.0 - a))


def rmia_scores(p_x: np.ndarray, p_refs_x: np.ndarray, p_z: np.ndarray, p_refs_z: np.ndarray,
                a: float = OFFLINE_A, gamma: float = GAMMA, same: np.ndarray | None = None) -> np.ndarray:
    """Each x's share of population z with ``LR(x)/LR(z) > γ``; ``same[i, j]`` True leaves pair (x_i, z_j) out."""
    p_refs_x, p_refs_z = np.atleast_2d(p_refs_x), np.atleast_2d(p_refs_z)
    if len(p_z) == 0:
        raise ValueError("rmia: no population example z to compare with; the attack needs non-members")
    lr_x = np.asarray(p_x, float) / np.maximum(marginal(p_refs_x, a), 1e-30)
    lr_z = np.asarray(p_z, float) / np.maximum(marginal(p_refs_z, a), 1e-30)
    wins = (lr_x[:, None] > gamma * lr_z[None, :]).astype(float)  # LR(x)/LR(z) > γ without dividing
    valid = np.ones_like(wins) if same is None else (~same).astype(float)
    return (wins * valid).sum(1) / np.maximum(valid.sum(1), 1.0)


@ATTACKS.register("rmia", "RMIA (ICML 2024): share of population z with LR(x)/LR(z) > γ, Pr(x) from offline "
                          "reference models (extras['references']['rmia'])")
def rmia_attack(ev: Evaluation) -> Scores | str:
    got = reference_inputs(ev, "rmia")
    if isinstance(got, str):
        return got
    refs, task = got.refs, ev.splits.task
    p_refs = np.stack([true_label_prob(task, lg, got.y) for lg in refs.logits(ev.splits, ev.device)])
    p = true_label_prob(task, got.logits, got.y)
    nf = refs.n_forget
    z = slice(nf, None)  # the population: the matched non-members
    same = np.zeros((len(p), len(p) - nf), bool)
    same[np.arange(nf, len(p)), np.arange(len(p) - nf)] = True  # a non-member is not its own z
    scores = rmia_scores(p, p_refs, p[z], p_refs[:, z], same=same)
    return scores[:nf], scores[nf:]
