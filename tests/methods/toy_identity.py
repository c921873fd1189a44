"""Tiny hand-built tables and contexts for method and metric tests (seconds on one CPU thread)."""

from __future__ import annotations

import torch

from core.data.forget import ForgetRequest
from core.data.splits import Splits, make_splits
from core.data.table import ImageTable
from core.methods.base import Context, TrainSettings
from core.models import ModelSpec, build_model
from core.training import seed_everything, train_epochs


def toy_table(n_id: int = 30, per: int = 20, size: int = 16, seed: int = 0) -> ImageTable:
    """A learnable 3-class table (the class brightens one colour channel) with identities and a binary column."""
    g = torch.Generator().manual_seed(seed)
    ident = torch.arange(n_id).repeat_interleave(per)
    y = torch.randint(0, 3, (n_id * per,), generator=g)
    imgs = torch.randint(0, 60, (n_id * per, 3, size, size), generator=g).to(torch.uint8)
    for c in range(3):
        imgs[y == c, c] += 150
    z = (ident % 2)
    return ImageTable("toy", imgs, {"y": y, "z": z}, {"y": ["a", "b", "c"], "z": ["no", "yes"]}, identity=ident)


def toy_splits(task: str | list[str] = "y", n_id: int = 30, per: int = 20, forget_ids: int = 2) -> Splits:
    return make_splits(toy_table(n_id, per), task, ForgetRequest(kind="identities", count=forget_ids), seed=0)


def trained_model(splits: Splits, epochs: int = 2, split: str = "train"):
    seed_everything(0)
    c, h, _ = splits.table.image_shape
    model = build_model("smallcnn", ModelSpec(c, h, splits.task.out_dim))
    return train_epochs(model, splits.loader(split, 32, shuffle=True), splits.task, epochs, 3e-3, torch.device("cpu"))


def toy_context(splits: Splits, model=None, progress=None) -> Context:
    from core.progress import silent

    model = trained_model(splits) if model is None else model
    return Context(model=model, splits=splits, device=torch.device("cpu"), model_name="smallcnn",
                   train=TrainSettings(epochs=1, lr=3e-3, batch_size=32), seed=0,
                   progress=progress or silent)
