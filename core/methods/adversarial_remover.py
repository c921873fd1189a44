"""Feature unlearning with known annotations (Xu et al., Algorithm 1): a remover against an adversary.

An adversary C is first trained to read the feature(s) f from images (one head per feature: several
features are unlearned at once with a multi-label adversary). Then, alternately over T iterations:

- even iterations train the U-Net remover E (model M and adversary C frozen) on
  ``beta * |x - x_hat|_1 + CE(M(x_hat), y) - lambda * CE(C(x_hat), f)`` with ``x_hat = x * E(x)``;
- odd iterations fine-tune M on ``(x_hat, y)`` with E frozen.

``update_adversary`` also trains C on the remover's outputs after every remover step (a true
min-max game; off by default, as in the paper, where C stays the pretrained one).

One deliberate change of form, kept switchable (``adversary_loss``): maximising C's cross-entropy
has a vanishing gradient wherever C is confidently right (d CE / d logits = p - onehot ~ 0), which a
pretrained adversary on clean synthetic faces is for nearly every image, so the remover never
starts moving. The default instead minimises KL(uniform || C(x_hat)), whose gradient is largest
exactly there; 'ce' restores the paper's term.

What is returned: the paper's Algorithm 1 returns the fine-tuned M (M_u = M), and so does this
method, so the unlearned model is the same-shaped network, used on raw images like the original.
The remover is a by-product of training, not part of the deployed model: it is saved
(``remover.pt`` in the run folder, and in memory as ``ctx.artifacts["remover_model"]``) so that an
audit can also score the pipeline M(E(x)) the way the paper's adversary sees it; the benchmark
reports both, because a model fine-tuned on masked images can still carry the feature in its
features of raw images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.methods.attribute_request import attribute_columns
from core.methods.base import METHODS, Context, Method
from core.methods.unet_remover import UNetRemover
from core.models.base import ModelSpec, build_model
from core.params import param
from core.task import Task
from core.training import check_finite, map_batches, save_checkpoint


@dataclass
class AdversarialRemoverParams:
    iterations: int = param(10, "alternations T: even ones train the remover, odd ones fine-tune the model",
                            min=2, max=1000)
    beta: float = param(5.0, "weight of |x - x_hat|_1 (keeps masked images close to the originals)",
                        min=0.0, max=1000.0)
    lam: float = param(5.0, "weight lambda of the adversary's loss the remover maximises", min=0.0, max=1000.0)
    lr_remover: float = param(5e-3, "Adam learning rate of the remover (the paper's 5e-6 suits full CelebA)",
                              min=1e-7, max=1.0)
    lr_model: float = param(1e-4, "Adam learning rate of the model's fine-tuning on masked images", min=1e-7, max=1.0)
    adversary_epochs: int = param(3, "epochs to pretrain the adversary on (x, f)", min=1, max=200)
    adversary_lr: float = param(1e-3, "Adam learning rate of the adversary", min=1e-7, max=1.0)
    extra_features: list[str] = param([], "more attribute columns to unlearn at once (multi-label adversary)")
    update_adversary: bool = param(False, "also train the adversary on the remover's outputs (true min-max)")
    adversary_loss: Literal["uniform", "ce"] = param(
        "uniform", "what the remover fights: 'uniform' pushes the adversary's prediction towards uniform; "
        "'ce' maximises its cross-entropy (the paper's form; stalls once the adversary is confident)",
        choices=["uniform", "ce"])
    width: int = param(16, "U-Net base width", min=4, max=128)
    examples: int = param(8, "test images whose masks are stored as an example grid", min=0, max=64)


def feature_task(ctx: Context, extra: list[str]) -> Task:
    """The adversary's task: the request's attribute column plus ``extra``, one head each."""
    cols = attribute_columns(ctx, extra, require_request=False)
    table = ctx.splits.table
    return Task(tuple(cols), tuple(table.num_classes(c) for c in cols))


def adversary_term(adv_task: Task, logits: torch.Tensor, f: torch.Tensor, kind: str) -> torch.Tensor:
    """What the remover maximises: the adversary's CE, or minus its KL from uniform per head."""
    if kind == "ce":
        return adv_task.loss(logits, f)
    return -sum((h.log_softmax(1).mean(1).neg() - torch.log(torch.tensor(float(h.shape[1])))).mean()
                for h in adv_task.heads(logits))


def _freeze(module: nn.Module, trainable: bool) -> None:
    for p in module.parameters():
        p.requires_grad_(trainable)
    module.train(trainable)


def remover_epoch(remover: UNetRemover, model: nn.Module, task: Task, adversary: nn.Module, adv_task: Task,
                  loader: DataLoader, opt: torch.optim.Optimizer, device: torch.device, beta: float, lam: float,
                  adversary_loss: str = "uniform", opt_adversary: torch.optim.Optimizer | None = None,
                  where: str = "remover") -> dict[str, float]:
    """One pass over ``(x, y, f)`` training E on ``beta*L1 + task CE - lam*adversary term`` with M and C
    frozen (Algorithm 1, lines 4-10); with ``opt_adversary`` C then also learns from E's outputs."""
    _freeze(model, False)
    _freeze(adversary, False)
    _freeze(remover, True)
    sums = {"l1": 0.0, "remover_task_loss": 0.0, "adversary_acc": 0.0, "mask_mean": 0.0}
    count = 0
    for x, y, f in loader:
        x, y, f = x.to(device), y.to(device), f.to(device)
        m = remover.mask(x)
        x_hat = x * m
        l1 = (x - x_hat).abs().mean()
        task_loss = task.loss(model(x_hat), y)
        adv_logits = adversary(x_hat)
        loss = beta * l1 + task_loss - lam * adversary_term(adv_task, adv_logits, f, adversary_loss)
        check_finite(loss, where)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if opt_adversary is not None:
            _adversary_step(adversary, adv_task, x_hat.detach(), f, opt_adversary)
        n = len(x)
        sums["l1"] += l1.item() * n
        sums["remover_task_loss"] += task_loss.item() * n
        sums["adversary_acc"] += adv_task.correct(adv_logits.detach(), f).sum().item()
        sums["mask_mean"] += m.mean().item() * n
        count += n
    return {k: v / max(count, 1) for k, v in sums.items()}


def _adversary_step(adversary: nn.Module, adv_task: Task, x_hat: torch.Tensor, f: torch.Tensor,
                    opt: torch.optim.Optimizer) -> None:
    _freeze(adversary, True)
    loss = adv_task.loss(adversary(x_hat), f)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    _freeze(adversary, False)


@METHODS.register("adversarial_remover", "Feature unlearning (known annotations): U-Net remover vs adversary, "
                  "then fine-tune on masked images")
class AdversarialRemover(Method):
    calibration_split = None  # the model is fine-tuned on masked/erased images, not raw retain ones
    kinds = ("attribute",)  # the feature to remove is the request's annotated attribute
    Params = AdversarialRemoverParams
    departures = ("the remover minimises KL(uniform || adversary) instead of maximising the adversary's cross-entropy (vanishing gradient where the adversary is confident); adversary_loss=ce restores the paper's term",)

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        feature_task(ctx, self.params.extra_features)

    def unlearn(self, ctx: Context) -> nn.Module:
        p = self.params
        adv_task = feature_task(ctx, p.extra_features)
        loader = self._loader(ctx, adv_task)
        adversary = self._pretrain_adversary(ctx, adv_task, loader)
        torch.manual_seed(ctx.seed)
        remover = UNetRemover(ctx.splits.table.image_shape[0], p.width).to(ctx.device)
        model = ctx.model.to(ctx.device)
        opt_e = torch.optim.Adam(remover.parameters(), lr=p.lr_remover)
        opt_m = torch.optim.Adam(model.parameters(), lr=p.lr_model)
        opt_c = torch.optim.Adam(adversary.parameters(), lr=p.adversary_lr) if p.update_adversary else None
        for t in range(p.iterations):
            if t % 2 == 0:
                stats = self._remover_epoch(ctx, remover, model, adversary, adv_task, loader, opt_e, opt_c, t)
            else:
                stats = self._model_epoch(ctx, remover, model, loader, opt_m, t)
            ctx.report(t + 1, p.iterations, model, **stats)
        _freeze(model, True)
        self._store(ctx, remover, adversary, adv_task)
        return model

    def _loader(self, ctx: Context, adv_task: Task) -> DataLoader:
        """(x, y, f) over the whole training set: the feature lives in every image, not a forget set."""
        idx = ctx.splits.index("train")
        x, y = ctx.splits.tensors(idx)
        f = torch.stack([ctx.splits.table.columns[c][idx] for c in adv_task.columns], 1)
        gen = torch.Generator().manual_seed(ctx.seed)
        return DataLoader(TensorDataset(x, y, f), batch_size=ctx.train.batch_size, shuffle=True, generator=gen)

    def _pretrain_adversary(self, ctx: Context, adv_task: Task, loader: DataLoader) -> nn.Module:
        """Algorithm 1, line 1: train C on (x, f) from scratch (same architecture as the model)."""
        c, h, _ = ctx.splits.table.image_shape
        torch.manual_seed(ctx.seed + 1)
        adversary = build_model(ctx.model_name, ModelSpec(c, h, adv_task.out_dim)).to(ctx.device)
        opt = torch.optim.Adam(adversary.parameters(), lr=self.params.adversary_lr)
        for e in range(self.params.adversary_epochs):
            adversary.train()
            correct, count = 0.0, 0
            for x, _, f in loader:
                x, f = x.to(ctx.device), f.to(ctx.device)
                logits = adversary(x)
                loss = adv_task.loss(logits, f)
                check_finite(loss, f"adversary epoch {e + 1}")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                correct, count = correct + adv_task.correct(logits, f).sum().item(), count + len(x)
            ctx.progress(e + 1, self.params.adversary_epochs, stage="adversary", adversary_acc=correct / max(count, 1))
        _freeze(adversary, False)
        return adversary

    def _remover_epoch(self, ctx, remover, model, adversary, adv_task, loader, opt_e, opt_c, t) -> dict:
        p = self.params
        return remover_epoch(remover, model, ctx.splits.task, adversary, adv_task, loader, opt_e, ctx.device,
                             p.beta, p.lam, p.adversary_loss, opt_c, where=f"remover iteration {t + 1}")

    def _model_epoch(self, ctx, remover, model, loader, opt_m, t) -> dict:
        """One pass fine-tuning M on (E(x), y) with the remover frozen (Algorithm 1, lines 12-16)."""
        _freeze(remover, False)
        _freeze(model, True)
        total, count = 0.0, 0
        for x, y, _ in loader:
            x, y = x.to(ctx.device), y.to(ctx.device)
            with torch.no_grad():
                x_hat = remover(x)
            loss = ctx.splits.task.loss(model(x_hat), y)
            check_finite(loss, f"fine-tuning iteration {t + 1}")
            opt_m.zero_grad(set_to_none=True)
            loss.backward()
            opt_m.step()
            total, count = total + loss.item() * len(x), count + len(x)
        return {"finetune_loss": total / max(count, 1)}

    def _store(self, ctx: Context, remover: nn.Module, adversary: nn.Module, adv_task: Task) -> None:
        """Adversary accuracy on test (raw and masked), the remover, and an example grid of masks."""
        remover.eval()
        idx = ctx.splits.index("test")
        x, _ = ctx.splits.tensors(idx)
        f = torch.stack([ctx.splits.table.columns[c][idx] for c in adv_task.columns], 1)
        raw = map_batches(adversary, x, ctx.device)
        masked = map_batches(lambda b: adversary(remover(b)), x, ctx.device)
        ctx.artifacts.update({
            "features": list(adv_task.columns),
            "adversary_acc_raw": adv_task.correct(raw, f).mean().item(),
            "adversary_acc_masked": adv_task.correct(masked, f).mean().item(),
            "remover_model": remover,
        })
        if ctx.workdir is not None:
            ctx.artifacts["remover"] = str(ctx.workdir / "remover.pt")
            save_checkpoint(remover, ctx.workdir / "remover.pt")
        if self.params.examples:
            save_mask_examples(ctx, remover, x[: self.params.examples])


def save_mask_examples(ctx: Context, remover: nn.Module, x: torch.Tensor) -> None:
    """Rows of images, masks and masked images: a PNG grid in the run folder, arrays in artifacts."""
    with torch.no_grad():
        m = map_batches(remover.mask, x, ctx.device)
    ctx.artifacts["example_masks"] = m
    ctx.artifacts["example_masked"] = x * m
    if ctx.workdir is None:
        return
    from torchvision.utils import save_image

    ctx.workdir.mkdir(parents=True, exist_ok=True)
    rows = torch.cat([x, m.expand_as(x), x * m])
    path = ctx.workdir / "remover_examples.png"
    save_image(F.interpolate(rows, scale_factor=4, mode="nearest"), path, nrow=len(x), padding=2)
    ctx.artifacts["remover_examples"] = str(path)
