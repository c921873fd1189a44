"""The metric interface: functions of an Evaluation returning named floats, and their registry.

An ``Evaluation`` holds one model under test with the splits (and the gold/original models when
known) and caches per-split logits, so the metrics that read the same outputs compute them once.
Metrics run in registration order and may read earlier results (NoMUS reads test_acc, mia_acc).
``live=True`` marks metrics cheap enough for the per-epoch chart. Each metric declares the keys it
produces (``keys=(Key(...), ...)``, core/metric_keys.py): their labels, meanings and directions are
read from there by every page, table and command that shows them.

Besides the splits' names an Evaluation knows one more, ``"nonmember"``: the unseen images the
membership attacks compare the forget set with, matched to the forget request by
core/metrics/nonmembers.py (which also records in ``extras["nonmembers"]`` how they were chosen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import torch
from torch import nn

from core.data.splits import Splits
from core.metric_keys import Key, declare
from core.metrics.nonmembers import NonMembers, matched_unseen
from core.registry import Registry
from core.training import predict_logits

NONMEMBER = "nonmember"  # the pseudo-split of the attacks' matched non-members


@dataclass
class Evaluation:
    """One model under test, the data, and a cache of its outputs."""

    model: nn.Module
    splits: Splits
    device: torch.device
    gold: nn.Module | None = None
    live: bool = False
    live_limit: int = 1000
    settings: dict[str, object] = field(default_factory=dict)
    results: dict[str, float] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)
    _logits: dict[tuple[int, str], torch.Tensor] = field(default_factory=dict)
    _nonmembers: NonMembers | None = None

    def nonmembers(self) -> NonMembers:
        """The attacks' non-members for this request, chosen once and recorded in ``extras["nonmembers"]``."""
        if self._nonmembers is None:
            self._nonmembers = matched_unseen(self.splits)
            self.extras["nonmembers"] = self._nonmembers.summary()
        return self._nonmembers

    def index(self, split: str) -> torch.Tensor:
        """Row indices of a split (or of ``"nonmember"``), capped at ``live_limit`` in live mode."""
        idx = self.nonmembers().index(self.splits) if split == NONMEMBER else self.splits.index(split)
        return idx[: self.live_limit] if self.live else idx

    def logits(self, split: str, model: nn.Module | None = None) -> torch.Tensor:
        """Logits of ``model`` (default: the model under test) on a split, computed once."""
        model = self.model if model is None else model
        key = (id(model), split)
        if key not in self._logits:
            x, _ = self.splits.tensors(self.index(split))
            self._logits[key] = predict_logits(model, x, self.device)
        return self._logits[key]

    def targets(self, split: str) -> torch.Tensor:
        return self.splits.targets(self.index(split))


@dataclass(frozen=True)
class Metric:
    fn: Callable[[Evaluation], dict[str, float]]
    live: bool
    applies: Callable[[Evaluation], bool]
    keys: tuple[Key, ...] = ()


METRICS: Registry[Metric] = Registry("metric")


def metric(name: str, description: str, live: bool = False,
           applies: Callable[[Evaluation], bool] = lambda ev: True, keys: tuple[Key, ...] = ()):
    """Register a metric function under ``name`` with the keys it produces (declared for every reader)."""
    if any(k.live for k in keys) and not live:
        raise ValueError(f"metric {name}: a live key needs a live metric")

    def wrap(fn: Callable[[Evaluation], dict[str, float]]):
        METRICS.add(name, Metric(fn, live, applies, declare(*keys)), description)
        return fn

    return wrap


def evaluate(ev: Evaluation, names: list[str] | None = None) -> dict[str, float]:
    """Run the applicable metrics (only live ones when ``ev.live``), in registration order."""
    for entry in METRICS._entries.values():  # registration order matters: derived metrics come last
        m = entry.obj
        if names is not None and entry.name not in names:
            continue
        if (ev.live and not m.live) or not m.applies(ev):
            continue
        ev.results.update({k: float(v) for k, v in m.fn(ev).items()})
    return dict(ev.results)
