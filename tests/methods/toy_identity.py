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


REQUESTS = {  # one small request of each sample-level forget kind the toy table supports
    "identities": {"kind": "identities", "count": 2},
    "class": {"kind": "class", "column": "y", "value": 0},
    "class_subset": {"kind": "class_subset", "column": "y", "value": 0, "fraction": 0.5},
}


def prepared_for(splits: Splits, epochs: int = 2, batch_size: int = 32, seed: int = 0):
    """A pipeline ``Prepared`` around ``splits``: original (train) and gold (retain) smallcnn models,
    each BN-recalibrated on the split it trained on, as ``core.pipeline.reference_models.train_reference`` does."""
    from core.config import Scenario
    from core.pipeline.prepared import Prepared
    from core.pipeline.reference_models import Trained
    from core.training import recalibrate_batchnorm

    train = TrainSettings(epochs=epochs, lr=3e-3, batch_size=batch_size)
    sc = Scenario(model="smallcnn", train=train, seed=seed, device="cpu", forget=splits.request,
                  task=list(splits.task.columns) if splits.task.is_multi else splits.task.columns[0])
    device = torch.device("cpu")

    def fit(split: str) -> Trained:
        model = trained_model(splits, epochs, split)
        recalibrate_batchnorm(model, splits.loader(split, 32), device)
        return Trained(model, 1.0, False)

    return Prepared(sc, splits, device, fit("train"), fit("retain"))


def toy_prepared(kind: str = "identities", task: str | list[str] = "y", n_id: int = 20, per: int = 10):
    """``prepared_for`` on the toy table with the ``REQUESTS`` entry of ``kind``."""
    request = ForgetRequest(**REQUESTS[kind])
    return prepared_for(make_splits(toy_table(n_id, per), task, request, seed=0))


def planted_identity_prepared(epochs: int = 3, batch_size: int = 16, seed: int = 0):
    """A ``Prepared`` whose forget set holds knowledge that only the forget set gives.

    The two forgotten people wear a mark (a 3x3 corner brightened by 60) and are all labelled
    class 0, whatever their colour. The original model (trained on train) learns "mark -> class 0"
    (forget loss 0.63, accuracy 0.75); the gold model never saw the mark and predicts their colour
    (forget loss 4.4, accuracy 0.3). A method that forgets must move the forget loss up from the
    original's towards the gold's. Methods train with ``batch_size`` (small, so the 20 forget
    images make a few steps per epoch).
    """
    table = toy_table(n_id=24, per=10, seed=seed)
    splits = make_splits(table, "y", ForgetRequest(kind="identities", count=2), seed=seed)
    f = splits.forget
    table.images[f, :, :3, :3] = (table.images[f, :, :3, :3].int() + 60).clamp(max=255).to(torch.uint8)
    table.columns["y"][f] = 0
    return prepared_for(splits, epochs, batch_size, seed)
