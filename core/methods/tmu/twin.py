"""The twin unlearning problem's data: a forget set D_t like the user's, whose gold model is known.

D_t is drawn from held-out data (the ``unseen`` split by default, which keeps ``test`` untouched
for evaluation), never from train, so the original model has not seen it; the forget/remain ratio
of the real problem is kept per class (the paper's Eq. 3), and augmentation fills a class whose
held-out samples run short.

Datasets with identities need one more step. Their held-out splits hold *other people*, while a
forgotten photo usually has sibling photos of the same person left in retain (which is why the
gold model still recognises it). So held-out people are split the same way: a share of each
person's photos goes into D_t and the rest, the *siblings* S, into the twin's remaining data. The
twin's gold model is then the original model fine-tuned on S, and the twin model the original
fine-tuned on S ∪ D_t (twin_models.py). Without identities S is empty and the twin's gold model
is the original model itself, as in the paper.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from core.methods.tmu.augment import augment

TWIN_SOURCES = ("unseen", "test", "both")
TWIN_SCOPES = ("forget", "all")


@dataclass
class TwinSet:
    """A twin forget set (images, labels, source rows, which are augmented) and its sibling rows."""

    x: torch.Tensor
    y: torch.Tensor
    rows: torch.Tensor
    augmented: torch.Tensor
    siblings: torch.Tensor

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
    """How many twin samples per class: |D_t,c| / |train_c| = |forget_c| / |retain_c|."""
    if scope not in TWIN_SCOPES:
        raise ValueError(f"tmu.twin_classes: {scope!r} is not allowed; allowed: {', '.join(TWIN_SCOPES)}")
    ratios = forget_ratios(splits)
    retain_c = class_of(splits, splits.retain)
    pooled = len(splits.forget) / max(sum(int((retain_c == c).sum()) for c in ratios), 1)
    train_c = class_of(splits, splits.train)
    classes = ratios if scope == "forget" else train_c.unique().tolist()
    return {c: max(1, round(ratios.get(c, pooled) * int((train_c == c).sum()))) for c in classes}


def heldout_pool(splits, source: str) -> torch.Tensor:
    """Rows the twin set may be drawn from; never train rows."""
    if source not in TWIN_SOURCES:
        raise ValueError(f"tmu.twin_source: {source!r} is not allowed; allowed: {', '.join(TWIN_SOURCES)}")
    if source == "both":
        return torch.cat([splits.unseen, splits.test])
    return splits.unseen if source == "unseen" else splits.test


def sibling_share(splits) -> float:
    """Share of a forgotten person's training photos that are forgotten (1.0 without identities)."""
    ident = splits.table.identity
    if ident is None:
        return 1.0
    people = ident[splits.forget].unique()
    return len(splits.forget) / max(int(torch.isin(ident[splits.train], people).sum()), 1)


def _split_people(rows: torch.Tensor, ident: torch.Tensor, share: float, n: int,
                  gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Take ``share`` of each held-out person's rows into D_t (people in random order) until ``n``."""
    people = ident[rows].unique()
    take, keep = [], []
    for person in people[torch.randperm(len(people), generator=gen)].tolist():
        if sum(len(t) for t in take) >= n:
            break
        mine = rows[ident[rows] == person]
        mine = mine[torch.randperm(len(mine), generator=gen)]
        k = max(1, round(share * len(mine)))
        take.append(mine[:k]), keep.append(mine[k:])
    cat = lambda parts: torch.cat(parts) if parts else torch.zeros(0, dtype=torch.long)  # noqa: E731
    return cat(take)[:n], cat(keep)


def draw_twin_set(splits, source: str, scope: str, augmentations: list[str], gen: torch.Generator) -> TwinSet:
    """Sample D_t per class from the held-out pool (and siblings S per person), augmenting shortfalls."""
    pool = heldout_pool(splits, source)
    pool_c = class_of(splits, pool)
    forget_classes = set(forget_ratios(splits))
    share, ident = sibling_share(splits), splits.table.identity
    xs, ys, rows, aug, sib = [], [], [], [], []
    for c, n in twin_sizes(splits, scope).items():
        mine = pool[pool_c == c]
        if len(mine) == 0:
            if c in forget_classes:
                raise ValueError(f"tmu: the {source} split has no samples of class {c} to build the twin problem; "
                                 "use twin_source='both' or a larger held-out split")
            continue
        if share < 1.0:
            take, siblings = _split_people(mine, ident, share, n, gen)
        else:
            take, siblings = mine[torch.randperm(len(mine), generator=gen)[:n]], mine[:0]
        extra = take[torch.randint(len(take), (n - len(take),), generator=gen)]
        x, y = splits.tensors(torch.cat([take, extra]))
        if len(extra):
            x[len(take):] = augment(x[len(take):], augmentations, gen)
        xs.append(x), ys.append(y), rows.append(torch.cat([take, extra])), sib.append(siblings)
        aug.append(torch.arange(len(y)) >= len(take))
    return TwinSet(torch.cat(xs), torch.cat(ys), torch.cat(rows), torch.cat(aug), torch.cat(sib))
