"""A tiny table with a planted attribute: the task is a colour, the attribute a bright bar (glasses)
drawn across the upper half, independent of the task, plus a second planted attribute (a corner
mark) for the several-attributes case. Helpers build splits and a pipeline ``Prepared`` around it
without the dataset registry, so the attribute tests need no other engineer's dataset."""

from __future__ import annotations

import torch

from core.config import Scenario
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.data.table import ImageTable
from core.methods.base import TrainSettings
from core.models import ModelSpec, build_model
from core.pipeline.prepared import Prepared
from core.pipeline.reference_models import Trained
from core.training import seed_everything, train_epochs


def planted_table(n_id: int = 40, per: int = 10, size: int = 16, seed: int = 0) -> ImageTable:
    g = torch.Generator().manual_seed(seed)
    n = n_id * per
    ident = torch.arange(n_id).repeat_interleave(per)
    y = torch.randint(0, 2, (n,), generator=g)
    z = torch.randint(0, 2, (n,), generator=g)
    mark = torch.randint(0, 2, (n,), generator=g)
    imgs = torch.randint(0, 70, (n, 3, size, size), generator=g)
    imgs[y == 1, 0] += 120
    imgs[y == 0, 2] += 120
    bar = torch.zeros(n, size, size, dtype=torch.bool)
    bar[:, size // 4 : size // 4 + 2, 2 : size - 2] = True
    bar &= (z == 1)[:, None, None]
    imgs[bar.unsqueeze(1).expand(-1, 3, -1, -1)] += 60
    imgs[mark == 1, 1, -3:, -3:] = 250
    return ImageTable("planted", imgs.clamp(0, 255).to(torch.uint8),
                      {"y": y, "glasses": z, "mark": mark},
                      {"y": ["blue", "red"], "glasses": ["no", "yes"], "mark": ["no", "yes"]},
                      identity=ident, masks={"glasses": bar})


def planted_splits(table: ImageTable | None = None, kind: str = "attribute", seed: int = 0):
    table = table or planted_table()
    req = ForgetRequest(kind="attribute", column="glasses") if kind == "attribute" else ForgetRequest(kind=kind, count=2)
    return make_splits(table, "y", req, seed=seed, test_fraction=0.25, unseen_fraction=0.15)


def planted_prepared(epochs: int = 3, kind: str = "attribute", seed: int = 0, splits=None) -> Prepared:
    """Data plus an original model trained on train and a gold model trained on retain (smallcnn, CPU)."""
    splits = splits or planted_splits(kind=kind, seed=seed)
    train = TrainSettings(epochs=epochs, lr=3e-3, batch_size=32)
    sc = Scenario(model="smallcnn", train=train, seed=seed, device="cpu", forget=splits.request, task="y")
    device = torch.device("cpu")

    def fit(split: str) -> Trained:
        seed_everything(seed)
        model = build_model("smallcnn", ModelSpec(3, splits.table.image_shape[1], splits.task.out_dim))
        train_epochs(model, splits.loader(split, 32, True, seed), splits.task, epochs, 3e-3, device)
        return Trained(model, 1.0, False)

    return Prepared(sc, splits, device, fit("train"), fit("retain"))
