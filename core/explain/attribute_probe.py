"""A differentiable attribute attacker: a linear head on a model's pooled features h.

The saliency audit asks *where* a model's features still carry the forgotten attribute. An attacker
reads the attribute z from h (as ``core.metrics.attacker`` does); making that attacker a torch
module lets GradCAM and guided backprop explain ``x -> features -> pool -> linear`` end to end.
The head is a logistic regression (zero-initialised, full-batch, so it is deterministic) on
standardised pooled features, trained on the model under test: the attacker sees what that model
encodes, not what another model did.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.data.splits import Splits
from core.metrics.attacker import majority_rate, pool, pooled_features


class AttributeProbe(nn.Module):
    """Attribute logits from features h: ``linear((pool(h) - mean) / std)``."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, linear: nn.Linear) -> None:
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.linear = linear

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.linear((pool(h) - self.mean) / self.std)


class ProbedModel(nn.Module):
    """``x -> model.features -> probe``: the network an attribute explanation differentiates."""

    def __init__(self, model: nn.Module, probe: AttributeProbe) -> None:
        super().__init__()
        self.model = model
        self.probe = probe

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.probe(self.model.features(x))


@dataclass
class FittedProbe:
    probe: AttributeProbe
    test_acc: float
    chance: float


def _sample(index: torch.Tensor, limit: int, gen: torch.Generator) -> torch.Tensor:
    return index[torch.randperm(len(index), generator=gen)[:limit]]


def fit_probe(model: nn.Module, splits: Splits, column: str, device: torch.device, *, limit: int = 2000,
              seed: int = 0, steps: int = 300, lr: float = 0.05, weight_decay: float = 1e-3) -> FittedProbe:
    """Train the attribute head on ``model``'s train-split features; score it on the test split.

    Raises ValueError when the train split holds only one value of ``column`` (nothing to learn).
    """
    z_all = splits.table.column(column, "attribute")
    gen = torch.Generator().manual_seed(seed)
    tr, te = _sample(splits.index("train"), limit, gen), _sample(splits.index("test"), limit, gen)
    z_tr, z_te = z_all[tr], z_all[te]
    if len(z_tr.unique()) < 2:
        raise ValueError(f"attribute probe: the train split holds only {column}={int(z_tr[0])}; nothing to learn")
    h_tr = pooled_features(model, splits.tensors(tr)[0], device)
    mean, std = h_tr.mean(0), h_tr.std(0).clamp_min(1e-6)
    linear = nn.Linear(h_tr.shape[1], splits.table.num_classes(column))
    nn.init.zeros_(linear.weight)
    nn.init.zeros_(linear.bias)
    probe = AttributeProbe(mean, std, linear)
    opt = torch.optim.Adam(linear.parameters(), lr=lr, weight_decay=weight_decay)
    feats = (h_tr - mean) / std
    with torch.enable_grad():
        for _ in range(steps):
            loss = F.cross_entropy(linear(feats), z_tr)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    probe.eval()
    with torch.no_grad():
        h_te = pooled_features(model, splits.tensors(te)[0], device)
        acc = float((linear((h_te - mean) / std).argmax(1) == z_te).float().mean()) if len(te) else float("nan")
    return FittedProbe(probe, acc, majority_rate(z_te.numpy()))
