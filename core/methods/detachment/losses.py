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
    """Gaussian kernel matrices of ``f`` ``[..., n, d]`` with each one's median squared distance as
    bandwidth (scale-free)."""
    d = torch.cdist(f, f).pow(2)
    n = f.shape[-2]
    off = d.detach()[..., ~torch.eye(n, dtype=torch.bool, device=f.device)]
    return torch.exp(-d / off.median(dim=-1).values.clamp_min(1e-6)[..., None, None])


def _centered(k: torch.Tensor) -> torch.Tensor:
    return k - k.mean(-2, keepdim=True) - k.mean(-1, keepdim=True) + k.mean((-2, -1), keepdim=True)


def kernel_alignment(kx: torch.Tensor, ky: torch.Tensor) -> torch.Tensor:
    """Normalised HSIC (centred kernel alignment) of kernel matrices ``[..., n, n]``, in [0, 1]."""
    kx, ky = _centered(kx), _centered(ky)
    num = (kx * ky).sum((-2, -1))
    return num / ((kx * kx).sum((-2, -1)) * (ky * ky).sum((-2, -1))).sqrt().clamp_min(1e-12)


def _standardised(v: torch.Tensor) -> torch.Tensor:
    return (v - v.mean(-2, keepdim=True)) / (v.std(-2, keepdim=True) + 1e-5)


def conditional_dependence(h: torch.Tensor, z: torch.Tensor, groups: torch.Tensor, n_classes: int) -> torch.Tensor:
    """Kernel estimate of the dependence between h and z *within* each group (task class) of the batch.

    Two views of h get Gaussian kernels, z a class-indicator kernel, and their normalised HSIC is 0
    when z is independent of the view: all of h flattened, and (for a feature map) the channel
    vector at each position, averaged over positions (an attribute drawn in one place is a small
    part of the whole map but most of the vectors where it is drawn). Measured within task classes,
    so driving it down removes z without removing what z shares with the task. Unlike an attribute
    head, this needs no adversary to keep up: it scores the features as they are.
    """
    h = h.float()
    total, weight = h.new_zeros(()), 0
    for g in groups.unique():
        m = groups == g
        if int(m.sum()) < 4 or z[m].unique().numel() < 2:
            continue
        onehot = F.one_hot(z[m], n_classes).float()
        kz = onehot @ onehot.T
        score = kernel_alignment(_rbf_gram(_standardised(h[m].flatten(1))), kz)
        if h.ndim == 4:
            local = _standardised(h[m].flatten(2).permute(2, 0, 1))  # [positions, n, channels]
            score = (score + kernel_alignment(_rbf_gram(local), kz).mean()) / 2
        total = total + int(m.sum()) * score
        weight += int(m.sum())
    return total / max(weight, 1)
