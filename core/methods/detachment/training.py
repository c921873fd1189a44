"""One detachment training epoch in either mode, with its time and peak memory.

The extractor (the model's ``bottom``, up to h) minimises
``λ1·R(x|h) + λ2·[SupCon_y + CE_y](h) + λ3·Σ_z [KL(U || p_z(h)) + κ·D(h, z | y)]``: it keeps what
rebuilds x and predicts the task, makes every attribute head guess uniformly, and drives down D, a
kernel estimate of the dependence between h and z within task classes. Each attribute head
meanwhile minimises its own ``SupCon_z + CE_z`` on a *detached* h (``adversary_steps`` updates per
batch), so it keeps trying to read z from the current features; its parameters are frozen inside
the extractor's term. This is the sign DESIGN.md fixes: the paper's ``−λ3·I(h, z)`` with
``λ3 = α(β − γ) ≥ 0`` would *keep* z. Why D as well: against the attribute head alone the extractor
learns to fool that one head (the information moves, a fresh attacker still reads it); D scores the
features as they are, so lowering it removes the information for any reader.

``end_to_end``: one backward of task loss + auxiliary loss through the whole model.
``local_parallel``: h is detached; the extractor learns only from the auxiliary loss and the top
classifier only from the task loss on the detached h. The classifier's step runs in a second
thread while the extractor runs its backward, so the two updates overlap in time, and the
classifier's activations are never alive together with the whole extractor graph.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call
from torch.utils.data import DataLoader, TensorDataset

from core.data.splits import Splits
from core.methods.detachment.reconstruction import reconstruction_loss
from core.methods.detachment.auxiliary import AuxiliaryNet
from core.methods.detachment.losses import conditional_dependence, joint_codes, kl_to_uniform, supcon
from core.methods.detachment.resources import ResourceMeter
from core.models.base import SplitModel
from core.training import check_finite, recalibrate_batchnorm

MODES = ("end_to_end", "local_parallel")


@dataclass(frozen=True)
class Weights:
    """λ1 (reconstruction), λ2 (task information), λ3 (attribute removal), the SupCon temperature,
    and how hard the attribute heads (the adversary) train between the extractor's steps."""

    lambda1: float
    lambda2: float
    lambda3: float
    temperature: float = 0.1
    adversary_steps: int = 1
    adversary_lr: float = 1e-3
    kernel_weight: float = 0.0


@dataclass
class EpochStats:
    seconds: float
    peak_mem_mb: float
    measure: str
    losses: dict[str, float] = field(default_factory=dict)


def attribute_dataset(splits: Splits, columns: Sequence[str], split: str = "train") -> TensorDataset:
    """(x, y, z_1, ..., z_k) over a split: images, task labels and the attribute columns."""
    idx = splits.index(split)
    x, y = splits.tensors(idx)
    return TensorDataset(x, y, *[splits.table.columns[c][idx] for c in columns])


def epoch_loader(data: TensorDataset, batch_size: int, seed: int) -> DataLoader:
    """Seeded shuffle; the last partial batch is dropped (BatchNorm and SupCon need several samples)."""
    gen = torch.Generator().manual_seed(seed)
    return DataLoader(data, batch_size=batch_size, shuffle=True, generator=gen, drop_last=len(data) > batch_size)


def _top_parameters(model: SplitModel) -> list[nn.Parameter]:
    bottom = {id(p) for p in model.bottom.parameters()}
    return [p for p in model.parameters() if id(p) not in bottom]


class DetachmentTrainer:
    """Owns the model, the auxiliary network and their two optimisers; runs epochs in either mode."""

    def __init__(self, model: SplitModel, aux: AuxiliaryNet, splits: Splits, columns: Sequence[str],
                 weights: Weights, lr: float, device: torch.device) -> None:
        self.model, self.aux, self.task = model.to(device), aux.to(device), splits.task
        self.columns, self.weights, self.device = list(columns), weights, device
        self.n_classes = {c: splits.table.num_classes(c) for c in columns}
        heads = aux.attribute_heads
        own = [*model.bottom.parameters(), *aux.decoder.parameters(), *aux.task_head.parameters()]
        self.opt_extractor = torch.optim.Adam(own, lr=lr)
        self.opt_adversary = torch.optim.Adam(heads.parameters(), lr=weights.adversary_lr)
        self.opt_top = torch.optim.Adam(_top_parameters(model), lr=lr, weight_decay=5e-4)

    def adversary_step(self, h: torch.Tensor, zs: Sequence[torch.Tensor]) -> torch.Tensor:
        """The attribute heads learn to read z from the current (detached) h: ``adversary_steps`` updates."""
        h = h.detach()
        for _ in range(self.weights.adversary_steps):
            loss = h.new_zeros(())
            for name, z in zip(self.columns, zs):
                emb, logits = self.aux.attribute_heads[name](h)
                loss = loss + supcon(emb, z, self.weights.temperature) + F.cross_entropy(logits, z)
            check_finite(loss, "detachment attribute heads")
            self.opt_adversary.zero_grad(set_to_none=True)
            loss.backward()
            self.opt_adversary.step()
        return loss.detach()

    def auxiliary_loss(self, h: torch.Tensor, x: torch.Tensor, y: torch.Tensor,
                       zs: Sequence[torch.Tensor]) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The extractor's objective; the attribute heads are frozen inside it (their own step comes first)."""
        w, aux = self.weights, self.aux
        rec = reconstruction_loss(aux.decoder, h, x)
        emb, logits = aux.task_head(h)
        info_y = supcon(emb, joint_codes(y, self.task.num_classes), w.temperature) + self.task.loss(logits, y)
        fooled, dependence = h.new_zeros(()), h.new_zeros(())
        groups = joint_codes(y, self.task.num_classes)
        for name, z in zip(self.columns, zs):
            head = aux.attribute_heads[name]
            frozen = {k: p.detach() for k, p in head.named_parameters()}
            fooled = fooled + kl_to_uniform(functional_call(head, frozen, (h,))[1])
            if w.kernel_weight > 0:
                dependence = dependence + conditional_dependence(h, z, groups, self.n_classes[name])
        remove = fooled + w.kernel_weight * dependence
        loss = w.lambda1 * rec + w.lambda2 * info_y + w.lambda3 * remove
        return loss, {"loss_recon": rec.detach(), "loss_task_info": info_y.detach(), "kl_uniform": fooled.detach(),
                      "dependence": dependence.detach()}

    def _classifier_step(self, h: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """The top classifier learns the task from detached h (local mode's second worker)."""
        loss = self.task.loss(self.model.head(h), y)
        check_finite(loss, "detachment classifier")
        self.opt_top.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_top.step()
        return loss.detach()

    def step_end_to_end(self, x, y, zs) -> dict[str, torch.Tensor]:
        h = self.model.features(x)
        adversary = self.adversary_step(h, zs)
        task_loss = self.task.loss(self.model.head(h), y)
        aux_loss, parts = self.auxiliary_loss(h, x, y, zs)
        loss = task_loss + aux_loss
        check_finite(loss, "detachment (end to end)")
        self.opt_extractor.zero_grad(set_to_none=True)
        self.opt_top.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_extractor.step()
        self.opt_top.step()
        return {"loss_task": task_loss.detach(), "loss_adversary": adversary, **parts}

    def step_local(self, x, y, zs, pool: ThreadPoolExecutor) -> dict[str, torch.Tensor]:
        h = self.model.features(x)
        adversary = self.adversary_step(h, zs)
        aux_loss, parts = self.auxiliary_loss(h, x, y, zs)
        check_finite(aux_loss, "detachment extractor (local)")
        classifier = pool.submit(self._classifier_step, h.detach(), y)
        self.opt_extractor.zero_grad(set_to_none=True)
        aux_loss.backward()
        self.opt_extractor.step()
        return {"loss_task": classifier.result(), "loss_adversary": adversary, **parts}

    @torch.no_grad()
    def recalibrate(self, loader: DataLoader) -> None:
        """Recompute the model's BatchNorm running statistics on the current features.

        The extractor moves fast while it sheds the attribute, and running averages that lag behind
        make the eval-mode model (what is reported and returned) mispredict for a while.
        """
        recalibrate_batchnorm(self.model, loader, self.device)

    def run_epoch(self, loader: DataLoader, mode: str) -> EpochStats:
        """One pass over ``loader`` in ``mode``; time and peak memory cover the training steps only."""
        if mode not in MODES:
            raise ValueError(f"detachment mode {mode!r} is not allowed; allowed: {', '.join(MODES)}")
        self.model.train()
        self.aux.train()
        sums: dict[str, float] = {}
        batches = 0
        with ResourceMeter(self.device) as meter, ThreadPoolExecutor(1, thread_name_prefix="classifier") as pool:
            for x, y, *zs in loader:
                x, y, zs = x.to(self.device), y.to(self.device), [z.to(self.device) for z in zs]
                parts = self.step_end_to_end(x, y, zs) if mode == "end_to_end" else self.step_local(x, y, zs, pool)
                for k, v in parts.items():
                    sums[k] = sums.get(k, 0.0) + float(v)
                batches += 1
        return EpochStats(meter.seconds, meter.peak_mem_mb, meter.measure,
                          {k: v / max(batches, 1) for k, v in sums.items()})
