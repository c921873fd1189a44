"""TMU's per-sample features NF and AF (CF, which needs its own briefly trained model, is in
``curriculum.py``): NF is the distance to the class's remaining data, AF the fragility under a small
attack. Each is a function of a model and image tensors, so the twin problem and the real problem
compute them the same way.
"""

from __future__ import annotations

import torch
from torch import nn

from core.task import Task
from core.training import map_batches

FEATURES = ("NF", "AF", "CF")


def penultimate(model: nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The embedding just before the last linear layer, in eval mode, on CPU."""
    model.eval()
    return map_batches(model.penultimate, x, device)


def knn_mean_distance(query: torch.Tensor, bank: torch.Tensor, k: int = 5, exclude_self: bool = False) -> torch.Tensor:
    """Mean Euclidean distance from each query row to its ``k`` nearest rows of ``bank``."""
    if len(bank) == 0:
        return torch.full((len(query),), float("nan"))
    d = torch.cdist(query, bank)
    if exclude_self:
        d.fill_diagonal_(float("inf"))
    k = min(k, len(bank) - int(exclude_self))
    return d.topk(max(k, 1), dim=1, largest=False).values.mean(1)


def nearest_feature(model: nn.Module, x: torch.Tensor, y: torch.Tensor, bank_x: torch.Tensor,
                    bank_y: torch.Tensor, device: torch.device, k: int = 5) -> torch.Tensor:
    """NF: mean of the ``k`` nearest penultimate distances from each sample to same-class ``bank``.

    Divided by the class's own typical 5-NN distance inside the bank, so NF means "how far out, in
    units of the class's spread" and transfers between the twin model and the original model.
    """
    q, b = penultimate(model, x, device), penultimate(model, bank_x, device)
    out = torch.full((len(x),), float("nan"))
    for c in y.unique():
        mine, theirs = y == c, bank_y == c
        scale = knn_mean_distance(b[theirs], b[theirs], k, exclude_self=True).mean().clamp_min(1e-8)
        out[mine] = knn_mean_distance(q[mine], b[theirs], k) / scale
    return out


def pgd_attack(model: nn.Module, task: Task, x: torch.Tensor, y: torch.Tensor, eps: float,
               steps: int, gen: torch.Generator) -> torch.Tensor:
    """Untargeted L-infinity PGD (Madry et al.) from a random start; images kept in [0, 1]."""
    alpha = 2.5 * eps / max(steps, 1)
    delta = ((torch.rand(x.shape, generator=gen) * 2 - 1) * eps).to(x.device)
    for _ in range(steps):
        delta.requires_grad_(True)
        loss = task.loss(model((x + delta).clamp(0, 1)), y)
        (grad,) = torch.autograd.grad(loss, delta)
        delta = (delta.detach() + alpha * grad.sign()).clamp(-eps, eps)
    return (x + delta).clamp(0, 1).detach()


def soft_cross_entropy(task: Task, clean: torch.Tensor, adv: torch.Tensor) -> torch.Tensor:
    """Per-sample cross-entropy of the adversarial softmax against the clean one, summed over heads."""
    return sum(-(c.softmax(1) * a.log_softmax(1)).sum(1) for c, a in zip(task.heads(clean), task.heads(adv)))


def adversarial_feature(model: nn.Module, task: Task, x: torch.Tensor, y: torch.Tensor,
                        device: torch.device, eps: float = 2 / 255, steps: int = 10,
                        batch_size: int = 256, seed: int = 0) -> torch.Tensor:
    """AF: cross-entropy between clean and small-budget PGD logits; large near the decision boundary."""
    model.eval().to(device)
    gen = torch.Generator().manual_seed(seed)
    out = []
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size].to(device), y[i : i + batch_size].to(device)
        adv = pgd_attack(model, task, xb, yb, eps, steps, gen)
        with torch.no_grad():
            out.append(soft_cross_entropy(task, model(xb), model(adv)).float().cpu())
    return torch.cat(out) if out else torch.zeros(0)


def feature_matrix(nf: torch.Tensor, af: torch.Tensor, cf: torch.Tensor) -> torch.Tensor:
    """The three features side by side, ``[n, 3]`` in FEATURES order (AF and CF on a log scale)."""
    return torch.stack([nf, af.clamp_min(0).log1p(), cf.clamp_min(0).log1p()], 1)
