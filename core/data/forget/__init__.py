"""Forget requests: what the user asks to forget, turned into a forget set inside train.

Each kind (samples, identities, class, class_subset, attribute; ``pattern`` from its method) is one
file that registers a :class:`ForgetKind` declaration in ``FORGET_KINDS``: its selector
``select(table, train_idx, request, generator) -> bool mask over train_idx``, label, help, title,
the request fields it reads and the unit the bootstrap resamples. This package gathers them.
"""

from __future__ import annotations

import torch

from core.data.forget.kind import FORGET_KINDS, ForgetKind, Selector, find_kind, kind_label, label_title, register_kind
from core.data.forget.request import ForgetRequest
from core.data.source import DataError
from core.data.table import ImageTable
import core.data.forget.identities  # noqa: F401  (registers its kind; each line below likewise)
import core.data.forget.samples  # noqa: F401
import core.data.forget.whole_class  # noqa: F401
import core.data.forget.class_subset  # noqa: F401
import core.data.forget.attribute  # noqa: F401
from core.data.forget.identities import resolve_identities


def select_forget(table: ImageTable, train: torch.Tensor, req: ForgetRequest, seed: int) -> torch.Tensor:
    """Bool mask over ``train`` for the forget set, checked for empty and all-of-train."""
    gen = torch.Generator().manual_seed(seed)
    mask = FORGET_KINDS.get(req.kind).select(table, train, req, gen)
    if int(mask.sum()) == 0:
        raise DataError(f"forget: the request ({req.describe()}) selects no training image; widen it")
    if bool(mask.all()):
        raise DataError(f"forget: the request ({req.describe()}) selects all of train; nothing would be left to retain")
    return mask


__all__ = ["FORGET_KINDS", "ForgetKind", "ForgetRequest", "Selector", "find_kind", "kind_label", "label_title",
           "register_kind", "resolve_identities", "select_forget"]
