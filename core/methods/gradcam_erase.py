"""``gradcam_erase``: the representation-detachment paper's Baseline 2.

An attribute classifier (the same architecture, trained on the training images' attribute labels)
locates the attribute with GradCAM; the ``area`` share of each training image where the map is
highest is painted over with the image's mean colour, and a fresh model is trained from scratch on
the erased images. By default GradCAM explains the request's value ("has glasses") in *every*
image, so the same kind of area is erased whether or not the image has the attribute; erasing
only where it is present would itself reveal the attribute.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.explain.gradcam import gradcam
from core.explain.grid import heat_rgb, save_grid
from core.methods.attribute_request import AttributeMethod, attribute_columns
from core.methods.base import METHODS, Context
from core.models.base import ModelSpec, SplitModel, build_model
from core.params import param
from core.task import Task
from core.training import predict_logits, train_epochs


@dataclass
class GradcamEraseParams:
    area: float = param(0.15, "share of each image's pixels erased: where the attribute's GradCAM is highest",
                        min=0.01, max=0.9)
    target: Literal["request", "own"] = param(
        "request", "the class GradCAM explains: the request's value in every image, or each image's own class "
        "(for many-class attributes)", choices=["request", "own"])
    extra_attributes: list[str] = param([], "more attribute columns whose areas are erased too")
    classifier_epochs: int = param(0, "epochs of the attribute classifier (0 = the original model's)", min=0, max=500)
    epochs: int = param(0, "epochs of the retraining on erased images (0 = the original model's)", min=0, max=500)
    lr: float = param(0.0, "learning rate of both trainings (0 = the original model's)", min=0.0, max=1.0)


def attribute_classifier(ctx: Context, column: str, epochs: int, lr: float) -> SplitModel:
    """A fresh model of the run's architecture trained to predict ``column`` on the training split."""
    table, idx = ctx.splits.table, ctx.splits.index("train")
    task = Task((column,), (table.num_classes(column),))
    c, h, _ = table.image_shape
    torch.manual_seed(ctx.seed)
    model = build_model(ctx.model_name, ModelSpec(c, h, task.out_dim))
    x = ctx.splits.tensors(idx)[0]
    gen = torch.Generator().manual_seed(ctx.seed)
    loader = DataLoader(TensorDataset(x, table.columns[column][idx, None]), ctx.train.batch_size, shuffle=True,
                        generator=gen)
    return train_epochs(model, loader, task, epochs, lr, ctx.device, ctx.progress, stage=f"attribute classifier ({column})")


def erase_mask(cams: torch.Tensor, area: float) -> torch.Tensor:
    """Bool ``[N, H, W]``: each image's ``area`` share of pixels with the highest map values."""
    flat = cams.flatten(1)
    k = max(1, int(round(area * flat.shape[1])))
    top = flat.topk(k, dim=1).indices
    return torch.zeros_like(flat, dtype=torch.bool).scatter_(1, top, True).view_as(cams)


def erase(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Paint the masked pixels of float images ``x`` with each image's mean colour."""
    fill = x.mean((2, 3), keepdim=True).expand_as(x)
    m = mask.unsqueeze(1).expand_as(x)
    return torch.where(m, fill, x)


def attribute_cams(classifier: nn.Module, x: torch.Tensor, z: torch.Tensor, value: int, target: str,
                   device: torch.device) -> torch.Tensor:
    """GradCAM of the classifier for the request's value (every image) or for each image's own class."""
    return gradcam(classifier, x, value if target == "request" else z, device=device)


@METHODS.register("gradcam_erase", "Baseline 2: erase the attribute's GradCAM area in every training image, "
                                   "retrain from scratch")
class GradcamErase(AttributeMethod):
    Params = GradcamEraseParams

    def unlearn(self, ctx: Context) -> nn.Module:
        p = self.params
        columns = attribute_columns(ctx, p.extra_attributes)
        epochs, lr = p.epochs or ctx.train.epochs, p.lr or ctx.train.lr
        idx = ctx.splits.index("train")
        x, y = ctx.splits.tensors(idx)
        mask = torch.zeros(len(x), *x.shape[-2:], dtype=torch.bool)
        info = {}
        for column in columns:
            classifier = attribute_classifier(ctx, column, p.classifier_epochs or ctx.train.epochs, lr)
            z = ctx.splits.table.columns[column][idx]
            cams = attribute_cams(classifier, x, z, ctx.splits.request.value, p.target, ctx.device)
            mask |= erase_mask(cams, p.area)
            info[column] = self._audit(ctx, classifier, column, mask, idx)
        erased = erase(x, mask)
        model = ctx.fresh_model()
        gen = torch.Generator().manual_seed(ctx.seed)
        loader = DataLoader(TensorDataset(erased, y), ctx.train.batch_size, shuffle=True, generator=gen)
        train_epochs(model, loader, ctx.splits.task, epochs, lr, ctx.device, stage="retrain on erased images",
                     on_epoch=lambda e: ctx.report(e + 1, epochs, model))
        ctx.artifacts["gradcam_erase"] = {"area": p.area, "target": p.target, "attributes": info}
        if ctx.workdir is not None:
            shown = torch.arange(min(8, len(x)))
            path = save_grid([x[shown], heat_rgb(mask[shown].float()), erased[shown]], ctx.workdir / "gradcam_erase.png")
            ctx.artifacts["gradcam_erase_png"] = str(path)
        return model

    @staticmethod
    def _audit(ctx: Context, classifier: nn.Module, column: str, mask: torch.Tensor, idx: torch.Tensor) -> dict:
        """How good the locator was: its test accuracy and, with ground-truth masks, how much of the
        attribute's true area the erasure covers."""
        xt = ctx.splits.tensors("test")[0]
        zt = ctx.splits.table.columns[column][ctx.splits.index("test")]
        out = {"classifier_test_acc": float((predict_logits(classifier, xt, ctx.device).argmax(1) == zt).float().mean())}
        truth = ctx.splits.table.masks.get(column)
        if truth is not None and bool(truth[idx].any()):
            t = truth[idx].bool()
            out["true_area_covered"] = float((mask & t).sum() / t.sum())
        return out
