"""Attribute attackers: how well can the attribute z still be read from the model's features h?

``efficacy`` is the test accuracy of an attacker trained on (h, z) pairs from the model under
test; ``efficacy_chance`` is the majority-class rate (the floor a perfect removal reaches). Two
attackers: a cheap linear probe (logistic regression on spatially pooled h; used each epoch) and
a ResNet-18-backbone network trained on h (the papers' attacker; used for final tables).
"""

from __future__ import annotations

import math
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


def attack_indices(splits: Splits, train_split: str, test_split: str, limit: int,
                   seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded random subset (at most ``limit`` rows) of each of the attacker's two splits."""
    gen = torch.Generator().manual_seed(seed)
    tr, te = splits.index(train_split), splits.index(test_split)
    return tr[torch.randperm(len(tr), generator=gen)[:limit]], te[torch.randperm(len(te), generator=gen)[:limit]]


def linear_probe(model: nn.Module, splits: Splits, column: str, device: torch.device,
                 train_split: str = "train", test_split: str = "test", limit: int = 2000, seed: int = 0) -> AttackResult:
    """Logistic-regression attacker on pooled h: trained on ``train_split``, scored on ``test_split``."""
    z_all = splits.table.column(column, "attribute")
    tr, te = attack_indices(splits, train_split, test_split, limit, seed)
    h_tr = pooled_features(model, splits.tensors(tr)[0], device).numpy()
    h_te = pooled_features(model, splits.tensors(te)[0], device).numpy()
    z_tr, z_te = z_all[tr].numpy(), z_all[te].numpy()
    if len(np.unique(z_tr)) < 2:
        return AttackResult(majority_rate(z_te), majority_rate(z_te))
    scaler = StandardScaler().fit(h_tr)
    clf = LogisticRegression(max_iter=500, C=1.0).fit(scaler.transform(h_tr), z_tr)
    return AttackResult(float(clf.score(scaler.transform(h_te), z_te)), majority_rate(z_te))


@dataclass
class NetAttackerSettings:
    """Training budget of the ResNet-18 attacker (the final-table attacker; a few seconds per model on CPU)."""

    epochs: int = 12
    lr: float = 1e-3
    batch_size: int = 128
    limit: int = 4000
    val_fraction: float = 0.15
    min_steps: int = 150  # small data: more epochs, so that the network gets enough updates to learn at all


def feature_maps(model: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """h = model.features(x) unpooled, as ``[N, C, h, w]`` (a flat h becomes ``[N, D, 1, 1]``)."""
    model.eval()

    def fn(batch: torch.Tensor) -> torch.Tensor:
        h = model.features(batch)
        return h if h.ndim == 4 else h.flatten(1)[:, :, None, None]

    return map_batches(fn, x, device)


def resnet18_on_features(in_channels: int, n_classes: int, spatial: int) -> nn.Module:
    """torchvision's ResNet-18 reading a feature map: 3x3 stride-1 stem, max-pool only for maps >= 16 px."""
    from torchvision.models import resnet18

    net = resnet18(weights=None, num_classes=n_classes)
    net.conv1 = nn.Conv2d(in_channels, 64, 3, 1, 1, bias=False)
    if spatial < 16:
        net.maxpool = nn.Identity()
    return net


def _accuracy(net: nn.Module, h: torch.Tensor, z: torch.Tensor, device: torch.device) -> float:
    net.eval()
    pred = map_batches(lambda b: net(b).argmax(1).float(), h, device)
    return float((pred.long() == z).float().mean()) if len(z) else float("nan")


def _fit_attacker(net: nn.Module, h: torch.Tensor, z: torch.Tensor, device: torch.device,
                  s: NetAttackerSettings, seed: int) -> nn.Module:
    """Adam on (h, z); keeps the epoch with the best held-out accuracy (a strong, not a lucky, attacker)."""
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(h), generator=gen)
    n_val = int(len(h) * s.val_fraction) if len(h) >= 40 else 0
    val, fit = order[:n_val], order[n_val:]
    opt = torch.optim.Adam(net.parameters(), lr=s.lr, weight_decay=5e-4)
    best, best_state = -1.0, None
    per_epoch = max(1, math.ceil(len(fit) / s.batch_size))
    for _ in range(max(s.epochs, math.ceil(s.min_steps / per_epoch))):
        net.train()
        for idx in fit[torch.randperm(len(fit), generator=gen)].split(s.batch_size):
            if len(idx) < 2:
                continue
            loss = nn.functional.cross_entropy(net(h[idx].to(device)), z[idx].to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if n_val:
            acc = _accuracy(net, h[val], z[val], device)
            if acc > best:
                best, best_state = acc, {k: v.detach().clone() for k, v in net.state_dict().items()}
    if best_state is not None:
        net.load_state_dict(best_state)
    return net.eval()


def resnet_attacker(model: nn.Module, splits: Splits, column: str, device: torch.device,
                    train_split: str = "train", test_split: str = "test",
                    settings: NetAttackerSettings | None = None, seed: int = 0) -> AttackResult:
    """The paper's attacker: a ResNet-18 trained on (h, z) from ``train_split``, scored on ``test_split``."""
    s = settings or NetAttackerSettings()
    z_all = splits.table.column(column, "attribute")
    tr, te = attack_indices(splits, train_split, test_split, s.limit, seed)
    z_tr, z_te = z_all[tr], z_all[te]
    chance = majority_rate(z_te.numpy())
    if len(z_tr.unique()) < 2:
        return AttackResult(chance, chance)
    h_tr = feature_maps(model, splits.tensors(tr)[0], device)
    h_te = feature_maps(model, splits.tensors(te)[0], device)
    torch.manual_seed(seed)
    net = resnet18_on_features(h_tr.shape[1], splits.table.num_classes(column), h_tr.shape[-1]).to(device)
    net = _fit_attacker(net, h_tr, z_tr, device, s, seed)
    return AttackResult(_accuracy(net, h_te, z_te, device), chance)


ATTACKERS = {"linear": linear_probe, "resnet": resnet_attacker}
"""The attackers by name: ``linear`` for live charts, ``resnet`` for final tables."""
