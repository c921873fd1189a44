"""``detachment``: attribute unlearning by representation detachment (Guo et al.), as a method.

Starting from the original model (or a fresh one), the model is split at its split point; an
auxiliary network on h keeps the image and task information in h and removes the requested
attribute(s) (see ``training``). Each epoch reports the live metrics, the epoch's ``seconds`` and
``peak_mem_mb``; the run's artifacts hold the per-epoch history and, when the run has a folder,
the Figure-4 reconstruction grid (input / rebuilt from h before / after) and, when ``sweep_grid`` is
set, the Figure-6 sensitivity sweep (AUM over λ2 × λ3, ``sensitivity_sweep.json``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from statistics import mean
from typing import Literal

from torch import nn

from core.methods.detachment.reconstruction import feature_shape, reconstruction_audit
from core.methods.attribute_request import AttributeMethod, attribute_columns
from core.methods.base import METHODS, Context
from core.methods.detachment.auxiliary import AuxiliaryNet
from core.methods.detachment.training import (MODES, DetachmentTrainer, EpochStats, Weights, attribute_dataset,
                                               epoch_loader)
from core.methods.detachment.sweep import SWEEP_FILE, context_sweep, save_sweep
from core.params import param


@dataclass
class DetachmentParams:
    epochs: int = param(6, "training epochs over the whole training set", min=1, max=500)
    lr: float = param(1e-3, "Adam learning rate (model and auxiliary network)", min=1e-6, max=1.0)
    lambda1: float = param(5.0, "λ1: weight of the reconstruction term R(x|h), keeps I(h, x) (paper: 2.5-5)",
                           min=0.0, max=100.0)
    lambda2: float = param(5.0, "λ2: weight of the task-information term on h, keeps I(h, y)", min=0.0, max=100.0)
    lambda3: float = param(2.0, "λ3: weight of the attribute-removal term (KL to uniform of each attribute "
                                "head), removes I(h, z)", min=0.0, max=100.0)
    mode: Literal["end_to_end", "local_parallel"] = param(
        "local_parallel", "end_to_end: one backward through everything; local_parallel: h detached, the "
        "extractor learns from the auxiliary loss and the classifier from the task loss, in parallel",
        choices=list(MODES))
    extra_attributes: list[str] = param([], "more attribute columns to remove together with the request's")
    temperature: float = param(0.1, "temperature of the supervised contrastive loss", min=0.01, max=1.0)
    adversary_steps: int = param(3, "updates of the attribute heads on each batch before the extractor's step "
                                    "(a removal only counts against an attribute head that keeps up)", min=1, max=20)
    adversary_lr: float = param(3e-3, "Adam learning rate of the attribute heads", min=1e-6, max=1.0)
    kernel_weight: float = param(5.0, "weight, inside the λ3 term, of the kernel estimate of the h-z dependence "
                                      "within task classes (0 = the attribute heads' KL-to-uniform alone)",
                                 min=0.0, max=100.0)
    from_scratch: bool = param(False, "train a freshly initialised model instead of starting from the original")
    reconstructions: bool = param(True, "when the run has a folder: fit decoders on h before and after and "
                                        "save the reconstruction grid (Figure 4)")
    decoder_epochs: int = param(10, "epochs of each reconstruction decoder", min=1, max=200)
    sweep_grid: list[float] = param([], "values of λ2 and λ3 to sweep after unlearning (AUM heatmap, Figure 6; needs "
                                        "a run folder); empty = no sweep; n values retrain n² times, keep it short")


def history_summary(history: list[EpochStats], mode: str) -> dict:
    """Per-epoch seconds and memory plus their summaries (mean seconds, largest peak)."""
    return {"mode": mode, "seconds_per_epoch": mean(s.seconds for s in history),
            "peak_mem_mb": max(s.peak_mem_mb for s in history), "memory_measure": history[0].measure,
            "epochs": [{"seconds": s.seconds, "peak_mem_mb": s.peak_mem_mb, **s.losses} for s in history]}


def build_trainer(ctx: Context, model: nn.Module, p: DetachmentParams, columns: list[str]) -> DetachmentTrainer:
    """The model with a fresh auxiliary network sized for its h, the task and the attributes."""
    image_shape = ctx.splits.table.image_shape
    model = model.to(ctx.device)
    h_shape = feature_shape(model, image_shape)
    classes = {c: ctx.splits.table.num_classes(c) for c in columns}
    aux = AuxiliaryNet(h_shape, image_shape, ctx.splits.task.out_dim, classes)
    weights = Weights(p.lambda1, p.lambda2, p.lambda3, p.temperature, p.adversary_steps, p.adversary_lr,
                      p.kernel_weight)
    return DetachmentTrainer(model, aux, ctx.splits, columns, weights, p.lr, ctx.device)


@METHODS.register("detachment", "Attribute unlearning by representation detachment (auxiliary network on h; "
                                "end-to-end or local-parallel)")
class Detachment(AttributeMethod):
    Params = DetachmentParams
    departures = ("the λ3 term adds a kernel (HSIC) estimate of the h-z dependence within task classes, weight kernel_weight (the paper: the attribute heads alone; kernel_weight=0)", "the attribute heads take adversary_steps updates per batch before the extractor's step")

    def unlearn(self, ctx: Context) -> nn.Module:
        p = self.params
        columns = attribute_columns(ctx, p.extra_attributes)
        before = copy.deepcopy(ctx.model) if self._wants_grid(ctx) or self._wants_sweep(ctx) else None
        model = ctx.fresh_model() if p.from_scratch else ctx.model
        trainer = build_trainer(ctx, model, p, columns)
        data = attribute_dataset(ctx.splits, columns)
        history: list[EpochStats] = []
        for epoch in range(p.epochs):
            loader = epoch_loader(data, ctx.train.batch_size, ctx.seed + epoch)
            stats = trainer.run_epoch(loader, p.mode)
            trainer.recalibrate(loader)
            history.append(stats)
            ctx.report(epoch + 1, p.epochs, model, seconds=stats.seconds, peak_mem_mb=stats.peak_mem_mb, **stats.losses)
        ctx.artifacts["detachment"] = {"attributes": columns, **history_summary(history, p.mode)}
        if self._wants_grid(ctx):
            ctx.artifacts["reconstruction"] = reconstruction_audit(
                before, model, ctx.splits, columns[0], ctx.device, ctx.workdir / "reconstructions.png",
                epochs=p.decoder_epochs, seed=ctx.seed)
            ctx.artifacts["reconstruction_png"] = ctx.artifacts["reconstruction"]["path"]
        if self._wants_sweep(ctx):
            self._sweep(ctx, before)
        return model

    def _wants_grid(self, ctx: Context) -> bool:
        return self.params.reconstructions and ctx.workdir is not None

    def _wants_sweep(self, ctx: Context) -> bool:
        return bool(self.params.sweep_grid) and ctx.workdir is not None

    def _sweep(self, ctx: Context, original: nn.Module) -> None:
        """The λ2 × λ3 sensitivity sweep from the model before unlearning: matrices into the artifacts, JSON file
        into the run folder (the Audit page draws the heatmap from either)."""
        result = context_sweep(ctx, original, self.params, self.params.sweep_grid, Detachment)
        ctx.artifacts["sensitivity_sweep"] = result.as_dict()
        ctx.artifacts["sensitivity_sweep_json"] = str(save_sweep(result, ctx.workdir / SWEEP_FILE))
