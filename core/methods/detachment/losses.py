"""The loss terms of representation detachment that are not library calls.

``supcon``: the supervised contrastive loss (Khosla et al. 2020) the paper trains its small task
and attribute heads with (same class pulled together, others pushed apart).
``kl_to_uniform``: KL(uniform || p): the extractor's attribute-removal term. Driving the attribute
head's prediction to uniform is the stable form of maximising its cross-entropy (raw ascent grows
without bound and wrecks the features).
``joint_codes``: one class code per distinct label vector of a multi-head task (for ``supcon``).
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
import torch.nn.functional as F


def supcon(embeddings: torch.Tensor, labels: torch.Tensor, temperature: float = 0.1) -> torch.Tensor:
    """Mean over anchors with a positive of −mean log p(positive | anchor) on cosine similarities."""
    z = F.normalize(embeddings.float(), dim=1)
    n = len(z)
    sim = z @ z.T / temperature
    self_mask = torch.eye(n, dtype=torch.bool, device=z.device)
    sim = sim.masked_fill(self_mask, float("-inf"))
    log_prob = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    pos = (labels[:, None] == labels[None, :]) & ~self_mask
    n_pos = pos.sum(1)
    has = n_pos > 0
    if not bool(has.any()):
        return embeddings.sum() * 0.0
    mean_pos = log_prob.masked_fill(~pos, 0.0).sum(1)[has] / n_pos[has]
    return -mean_pos.mean()


def kl_to_uniform(logits: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of KL(U || softmax(logits)) = −log K − mean_k log p_k; 0 at a uniform guess."""
    return -(F.log_softmax(logits.float(), dim=1).mean(1)).mean() - math.log(logits.shape[1])


def joint_codes(y: torch.Tensor, num_classes: Sequence[int]) -> torch.Tensor:
    """``[n, heads]`` labels -> ``[n]`` mixed-radix codes (equal codes = equal label vectors)."""
    codes = torch.zeros(len(y), dtype=torch.long, device=y.device)
    for k, n in enumerate(num_classes):
        codes = codes * n + y[:, k]
    return codes


def _rbf_gram(f: torch.Tensor) -> torch.Tensor:
    """Gaussian kernel matrix with the median squared distance as bandwidth (scale-free)."""
    d = torch.cdist(f, f).pow(2)
    off = d.detach()[~torch.eye(len(f), dtype=torch.bool, device=f.device)]
    return torch.exp(-d / off.median().clamp_min(1e-6))


def _centered(k: torch.Tensor) -> torch.Tensor:
    return k - k.mean(0, keepdim=True) - k.mean(1, keepdim=True) + k.mean()


def kernel_alignment(kx: torch.Tensor, ky: torch.Tensor) -> torch.Tensor:
    """Normalised HSIC (centred kernel alignment) of two kernel matrices, in [0, 1]."""
    kx, ky = _centered(kx), _centered(ky)
    return (kx * ky).sum() / ((kx * kx).sum() * (ky * ky).sum()).sqrt().clamp_min(1e-12)


def conditional_dependence(h: torch.Tensor, z: torch.Tensor, groups: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Kernel estimate of the dependence between h and z *within* each group (task class) of the batch.

    h (flattened, each unit standardised over the batch) gets a Gaussian kernel, z a class-indicator
    kernel; their normalised HSIC is 0 when z is independent of h. Measured within task classes, so
    driving it down removes z without removing what z shares with the task. Unlike an attribute
    head, this needs no adversary to keep up: it scores the features as they are.
    """
    f = h.flatten(1).float()
    f = (f - f.mean(0)) / (f.std(0) + 1e-5)
    total, weight = f.new_zeros(()), 0
    for g in groups.unique():
        m = groups == g
        if int(m.sum()) < 4 or z[m].unique().numel() < 2:
            continue
        onehot = F.one_hot(z[m], n_classes).float()
        total = total + int(m.sum()) * kernel_alignment(_rbf_gram(f[m]), onehot @ onehot.T)
        weight += int(m.sum())
    return total / max(weight, 1)
