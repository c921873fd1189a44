"""Tiny hand-built data for the TMU tests: people whose class is fixed per person (like age_group)."""

from __future__ import annotations

import torch

from core.data.table import ImageTable
from core.methods.base import Context, TrainSettings


def people_table(n_id: int = 30, per: int = 10, size: int = 16) -> ImageTable:
    """3 classes fixed per person (like age_group), the class brightens one colour channel."""
    g = torch.Generator().manual_seed(0)
    ident = torch.arange(n_id).repeat_interleave(per)
    y = (torch.arange(n_id) % 3).repeat_interleave(per)
    imgs = torch.randint(0, 90, (n_id * per, 3, size, size), generator=g).to(torch.uint8)
    for c in range(3):
        imgs[y == c, c] += 120
    return ImageTable("people", imgs, {"y": y}, {"y": ["a", "b", "c"]}, identity=ident)


def make_context(splits, model, progress=None, gold=None) -> Context:
    from core.progress import silent

    return Context(model=model, splits=splits, device=torch.device("cpu"), model_name="smallcnn",
                   train=TrainSettings(epochs=1, lr=3e-3, batch_size=32), seed=0, progress=progress or silent,
                   gold=gold)
