"""LiRA, offline variant (Carlini et al., "Membership Inference Attacks From First Principles"):
lira_auc, lira_tpr_at_1fpr, lira_tpr_at_0_1fpr.

A per-example attack, far stronger at low false-positive rates than the global loss threshold of
``mia_acc``/``mia_auc``. Shadow ("reference") models of the same architecture and training recipe
are trained on random halves of the retain set (their BatchNorm statistics then re-estimated on that
half, as for every model of the pipeline), so none of them has seen any target example (the
forget set = members, the unseen images matched to the request = non-members, as for the loss attack). For each target example, its logit-scaled
confidence ``φ = log p_y − log(1 − p_y)`` (averaged over task heads) under every shadow gives a
Gaussian of how confident a model is on it *without* having trained on it. The model under test is
then scored per example by how far its own ``φ`` lies above that Gaussian, ``(φ − μ)/σ`` (one-sided:
training on an example raises its confidence). With few shadows the variance is pooled over all
examples ("fixed variance", which the LiRA paper recommends below ~64 shadows).

Shadow training is the expensive part and is done once per splits by :func:`lira_reference`; the
``lira`` metric only runs when an Evaluation carries that reference in ``ev.extras["lira"]``, and
:func:`lira_attack` scores any model against it directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from core.data.splits import Splits
from core.metrics.base import Evaluation, metric
from core.metrics.mia_roc import roc_keys, roc_summary
from core.metrics.nonmembers import matched_unseen
from core.models import ModelSpec, build_model
from core.progress import Progress, silent
from core.task import Task
from core.train_settings import TrainSettings
from core.training import predict_logits, recalibrate_batchnorm, seed_everything, train_epochs


@dataclass
class LiraReference:
    """Each target example's out-of-training confidence distribution, from ``n_shadows`` shadow models."""

    mu_forget: np.ndarray
    mu_unseen: np.ndarray
    sigma_forget: np.ndarray
    sigma_unseen: np.ndarray
    n_shadows: int


def logit_confidence(task: Task, logits: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """``log p_y − log Σ_{j≠y} p_j`` per sample (stable form), averaged over heads."""
    per_head = []
    for k, h in enumerate(task.heads(logits.float())):
        true = h.gather(1, y[:, k : k + 1]).squeeze(1)
        others = h.scatter(1, y[:, k : k + 1], float("-inf")).logsumexp(1)
        per_head.append(true - others)
    return torch.stack(per_head, 1).mean(1).numpy()


def train_shadows(splits: Splits, model_name: str, train: TrainSettings, n: int, device: torch.device,
                  seed: int = 0, fraction: float = 0.5, progress: Progress = silent) -> list[nn.Module]:
    """``n`` models, each trained from scratch on a random ``fraction`` of the retain set."""
    if n < 2:
        raise ValueError(f"lira: {n} shadow model(s) cannot give a spread of confidences; use at least 2")
    c, h, _ = splits.table.image_shape
    shadows = []
    for i in range(n):
        part = shadow_rows(splits, seed, i, fraction)
        seed_everything(seed * 7919 + i)
        model = build_model(model_name, ModelSpec(c, h, splits.task.out_dim))
        loader = splits.loader(part, train.batch_size, shuffle=True, seed=seed * 7919 + i)
        train_epochs(model, loader, splits.task, train.epochs, train.lr, device)
        # the recipe of the models under test (core.pipeline.reference_models.train_reference): BN statistics re-estimated
        # on the shadow's own training rows, so a shadow's confidences are not skewed by stale averages
        shadows.append(recalibrate_batchnorm(model, splits.loader(part, train.batch_size), device))
        progress(i + 1, n, stage="lira shadows")
    return shadows


def shadow_rows(splits: Splits, seed: int, i: int, fraction: float = 0.5) -> torch.Tensor:
    """The retain rows shadow ``i`` of ``seed`` trains on: a seeded random ``fraction`` of retain."""
    retain = splits.retain
    gen = torch.Generator().manual_seed(seed * 7919 + i)
    return retain[torch.randperm(len(retain), generator=gen)[: max(1, int(round(fraction * len(retain))))]]


def _rows(splits: Splits, side: str) -> torch.Tensor:
    """Members are the forget set; non-members the unseen images matched to the request (one home:
    :func:`core.metrics.nonmembers.matched_unseen`), as for the loss attack."""
    return splits.forget if side == "forget" else matched_unseen(splits).index(splits)


def _confidences(model: nn.Module, splits: Splits, side: str, device: torch.device) -> np.ndarray:
    x, y = splits.tensors(_rows(splits, side))
    return logit_confidence(splits.task, predict_logits(model, x, device), y)


def lira_reference(splits: Splits, model_name: str, train: TrainSettings, n_shadows: int, device: torch.device,
                   seed: int = 0, fraction: float = 0.5, fixed_variance: bool | None = None,
                   progress: Progress = silent) -> LiraReference:
    """Train the shadows and keep, per forget/unseen example, the mean and spread of its out-confidence."""
    shadows = train_shadows(splits, model_name, train, n_shadows, device, seed, fraction, progress)
    phi = {s: np.stack([_confidences(m, splits, s, device) for m in shadows]) for s in ("forget", "unseen")}
    mu = {s: v.mean(0) for s, v in phi.items()}
    fixed = n_shadows < 64 if fixed_variance is None else fixed_variance
    if fixed:
        pooled = float(np.concatenate([(v - mu[s]).ravel() for s, v in phi.items()]).std(ddof=1))
        sigma = {s: np.full_like(mu[s], max(pooled, 1e-6)) for s in phi}
    else:
        sigma = {s: np.maximum(v.std(0, ddof=1), 1e-6) for s, v in phi.items()}
    return LiraReference(mu["forget"], mu["unseen"], sigma["forget"], sigma["unseen"], n_shadows)


def lira_scores(ref: LiraReference, phi_forget: np.ndarray, phi_unseen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-sided Gaussian test statistic per example: higher means "was trained on"."""
    return (phi_forget - ref.mu_forget) / ref.sigma_forget, (phi_unseen - ref.mu_unseen) / ref.sigma_unseen


def lira_attack(model: nn.Module, ref: LiraReference, splits: Splits, device: torch.device) -> dict[str, float]:
    """LiRA's AUC and TPR at 1% / 0.1% FPR for ``model`` (forget = members, matched unseen = non-members)."""
    member, nonmember = lira_scores(ref, _confidences(model, splits, "forget", device),
                                    _confidences(model, splits, "unseen", device))
    return roc_summary(member, nonmember, "lira")[0]


@metric("lira", "lira_auc, lira_tpr_at_1fpr, lira_tpr_at_0_1fpr: per-example likelihood-ratio attack against "
        "shadow models (runs only when extras['lira'] holds a LiraReference)",
        applies=lambda ev: isinstance(ev.extras.get("lira"), LiraReference), keys=roc_keys("lira", "LiRA attack"))
def lira(ev: Evaluation) -> dict[str, float]:
    ref: LiraReference = ev.extras["lira"]
    phi = {s: logit_confidence(ev.splits.task, ev.logits(s), ev.targets(s)) for s in ("forget", "nonmember")}
    member, nonmember = lira_scores(ref, phi["forget"], phi["nonmember"])
    return roc_summary(member, nonmember, "lira")[0]
