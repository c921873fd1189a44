"""The twin unlearning problem: a problem like the user's whose gold model is known.

Fine-tuning the original model on extra held-out samples D_t of the forget set's classes gives the
twin model; for "forget D_t from the twin" the original model is exactly the gold model (it never
saw D_t), so D_t's easy/hard labels are free: easy where the original classifies them right. D_t is
drawn from held-out data (the ``unseen`` split by default, which keeps ``test`` untouched for
evaluation) with the forget/remain ratio of the real problem kept per class; augmentation fills it
when a class has too few held-out samples.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from core.methods.base import Context
from core.methods.tmu.augment import augment
from core.training import check_finite, predict_logits

TWIN_SOURCES = ("unseen", "test", "both")
TWIN_SCOPES = ("forget", "all")


@dataclass
class TwinSet:
    """A twin forget set: images, labels, the table row each came from, and which are augmented."""

    x: torch.Tensor
    y: torch.Tensor
    rows: torch.Tensor
    augmented: torch.Tensor

    def __len__(self) -> int:
        return len(self.y)


def class_of(splits, index: torch.Tensor) -> torch.Tensor:
    """The (single-head) task class of each row: what "same class" means for TMU."""
    return splits.targets(index)[:, 0]


def forget_ratios(splits) -> dict[int, float]:
    """Per forget class c: |forget_c| / |retain_c| (the ratio the twin must keep)."""
    f, r = class_of(splits, splits.forget), class_of(splits, splits.retain)
    out = {}
    for c in f.unique().tolist():
        n_r = int((r == c).sum())
        if n_r == 0:
            raise ValueError(f"tmu: class {c} has no remaining training samples, so its gold accuracy is 0; "
                             "TMU is for forgetting part of a class; use a class-forgetting method")
        out[c] = int((f == c).sum()) / n_r
    return out


def twin_sizes(splits, scope: str) -> dict[int, int]:
    """How many twin samples per class: |D_t,c| / |train_c| = |forget_c| / |retain_c| (the paper's Eq. 3)."""
    if scope not in TWIN_SCOPES:
        raise ValueError(f"tmu.twin_classes: {scope!r} is not allowed; allowed: {', '.join(TWIN_SCOPES)}")
    ratios = forget_ratios(splits)
    pooled = len(splits.forget) / max(sum(int((class_of(splits, splits.retain) == c).sum()) for c in ratios), 1)
    train_c = class_of(splits, splits.train)
    classes = ratios if scope == "forget" else train_c.unique().tolist()
    return {c: max(1, round(ratios.get(c, pooled) * int((train_c == c).sum()))) for c in classes}


def heldout_pool(splits, source: str) -> torch.Tensor:
    """Rows the twin set may be drawn from; never train rows."""
    if source not in TWIN_SOURCES:
        raise ValueError(f"tmu.twin_source: {source!r} is not allowed; allowed: {', '.join(TWIN_SOURCES)}")
    return splits.unseen if source == "unseen" else splits.test if source == "test" else torch.cat([splits.unseen, splits.test])


def draw_twin_set(splits, source: str, scope: str, augmentations: list[str], gen: torch.Generator) -> TwinSet:
    """Sample D_t per class from the held-out pool, filling shortfalls with augmented copies."""
    pool = heldout_pool(splits, source)
    pool_c = class_of(splits, pool)
    forget_classes = set(forget_ratios(splits))
    xs, ys, rows, aug = [], [], [], []
    for c, n in twin_sizes(splits, scope).items():
        mine = pool[pool_c == c]
        if len(mine) == 0:
            if c in forget_classes:
                raise ValueError(f"tmu: the {source} split has no samples of class {c} to build the twin problem; "
                                 "use twin_source='both' or a larger held-out split")
            continue
        take = mine[torch.randperm(len(mine), generator=gen)[: min(n, len(mine))]]
        extra = mine[torch.randint(len(mine), (n - len(take),), generator=gen)]
        x, y = splits.tensors(torch.cat([take, extra]))
        if len(extra):
            x[len(take):] = augment(x[len(take):], augmentations, gen)
        xs.append(x), ys.append(y), rows.append(torch.cat([take, extra]))
        aug.append(torch.arange(len(y)) >= len(take))
    return TwinSet(torch.cat(xs), torch.cat(ys), torch.cat(rows), torch.cat(aug))


def build_twin(ctx: Context, original: nn.Module, twin: TwinSet, epochs: int, lr: float, replay: int,
               gen: torch.Generator, stage: str = "tmu twin") -> nn.Module:
    """Fine-tune a copy of ``original`` on D_t mixed with ``replay`` train samples per twin sample."""
    model = copy.deepcopy(original).to(ctx.device)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    train = ctx.splits.train
    for epoch in range(epochs):
        model.train()
        rx, ry = ctx.splits.tensors(train[torch.randint(len(train), (replay * len(twin),), generator=gen)])
        data = TensorDataset(torch.cat([twin.x, rx]), torch.cat([twin.y, ry]))
        for x, y in DataLoader(data, batch_size=ctx.train.batch_size, shuffle=True, generator=gen):
            loss = ctx.splits.task.loss(model(x.to(ctx.device)), y.to(ctx.device))
            check_finite(loss, f"{stage} epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        ctx.progress(epoch + 1, epochs, stage=stage, loss=loss.item())
    return model.eval()


def generalization_labels(gold: nn.Module, task, x: torch.Tensor, y: torch.Tensor, device: torch.device) -> torch.Tensor:
    """1 = hard (``gold`` gets the sample wrong), 0 = easy."""
    return (task.correct(predict_logits(gold, x, device), y) < 1).long()
