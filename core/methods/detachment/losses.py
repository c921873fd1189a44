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
