"""Attribute attackers: how well can the attribute z still be read from the model's features h?

``efficacy`` is the test accuracy of an attacker trained on (h, z) pairs from the model under
test; ``efficacy_chance`` is the majority-class rate (the floor a perfect removal reaches). Two
attackers: a cheap linear probe (logistic regression on spatially pooled h; used each epoch) and
a ResNet-18-backbone network trained on h (the papers' attacker; used for final tables).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from torch import nn

from core.data.splits import Splits
from core.training import map_batches


@dataclass
class AttackResult:
    efficacy: float
    chance: float


def pool(h: torch.Tensor) -> torch.Tensor:
    """Features h as one vector per image: mean- and max-pooled over space when h is a feature map.

    Differentiable, so the saliency audit can explain an attacker head through it."""
    return torch.cat([h.mean((2, 3)), h.amax((2, 3))], 1) if h.ndim == 4 else h.flatten(1)


def pooled_features(model: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """pool(h) for h = model.features(x), in batches without gradients."""
    model.eval()
    return map_batches(lambda batch: pool(model.features(batch)), x, device)


def majority_rate(z: np.ndarray) -> float:
    return float(np.bincount(z).max() / len(z)) if len(z) else float("nan")


def linear_probe(model: nn.Module, splits: Splits, column: str, device: torch.device,
                 train_split: str = "train", test_split: str = "test", limit: int = 2000, seed: int = 0) -> AttackResult:
    """Logistic-regression attacker on pooled h: trained on ``train_split``, scored on ``test_split``."""
    z_all = splits.table.column(column, "attribute")
    gen = torch.Generator().manual_seed(seed)
    tr, te = splits.index(train_split), splits.index(test_split)
    tr = tr[torch.randperm(len(tr), generator=gen)[:limit]]
    te = te[torch.randperm(len(te), generator=gen)[:limit]]
    h_tr = pooled_features(model, splits.tensors(tr)[0], device).numpy()
    h_te = pooled_features(model, splits.tensors(te)[0], device).numpy()
    z_tr, z_te = z_all[tr].numpy(), z_all[te].numpy()
    if len(np.unique(z_tr)) < 2:
        return AttackResult(majority_rate(z_te), majority_rate(z_te))
    scaler = StandardScaler().fit(h_tr)
    clf = LogisticRegression(max_iter=500, C=1.0).fit(scaler.transform(h_tr), z_tr)
    return AttackResult(float(clf.score(scaler.transform(h_te), z_te)), majority_rate(z_te))
