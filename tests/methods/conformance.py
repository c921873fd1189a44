"""The contract every method is held to, run as production runs it: through ``core.pipeline.run_method``.

``run_conformant`` skips a method only for a forget kind it does not declare (``Method.kinds``),
saying so; a ``ValueError`` for a kind it declares is a failure, not a skip. ``check_unlearned``
checks what the pipeline hands back: the same architecture with finite weights and outputs, weights
that moved, the shared original untouched, and BatchNorm statistics re-estimated on the method's
calibration split.
"""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from core.methods import METHODS
from core.pipeline import Prepared, run_method
from core.training import recalibrate_batchnorm

NOT_FOR_THIS_KIND = "does not apply to this kind"


class Recorder:
    """A progress callback that records its calls and can cancel at the n-th one."""

    def __init__(self, cancel_at: int | None = None) -> None:
        self.calls: list[tuple[int, int, str, dict]] = []
        self.cancel_at = cancel_at

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        self.calls.append((step, total, stage, metrics))
        if self.cancel_at is not None and len(self.calls) >= self.cancel_at:
            from core.progress import Cancelled

            raise Cancelled("test cancel")


def applies(name: str, kind: str) -> bool:
    kinds = METHODS.get(name).kinds
    return kinds is None or kind in kinds


def skip_unless_applies(name: str, prep: Prepared) -> None:
    kind = prep.splits.request.kind
    if not applies(name, kind):
        pytest.skip(f"{name} {NOT_FOR_THIS_KIND} ({kind!r}); it declares {METHODS.get(name).kinds}")


def run_conformant(prep: Prepared, name: str, params: dict | None = None, progress=None) -> nn.Module:
    """``run_method`` for a kind the method declares; its refusal of a declared kind fails the test."""
    skip_unless_applies(name, prep)
    try:
        model, _, _ = run_method(prep, name, params or {}, progress or Recorder())
    except ValueError as exc:
        pytest.fail(f"{name} declares forget kind {prep.splits.request.kind!r} but refused it: {exc}")
    return model


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _norms(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def check_unlearned(prep: Prepared, name: str, model: nn.Module, original_before: dict[str, torch.Tensor]) -> None:
    """Everything a method's returned model must satisfy after ``run_method``."""
    original = prep.original.model
    assert type(model) is type(original), f"{name} returned a {type(model).__name__}, not a {type(original).__name__}"
    got, ref = model.state_dict(), original.state_dict()
    assert list(got) == list(ref), f"{name} changed the architecture's state keys"
    for k in got:
        assert got[k].shape == ref[k].shape, f"{name}: {k} changed shape"
        if got[k].is_floating_point():
            assert torch.isfinite(got[k]).all(), f"{name}: {k} has NaN/inf"
    assert all(torch.equal(v, original_before[k]) for k, v in ref.items()), f"{name} modified the shared original"
    moved = [k for k, p in model.named_parameters() if not torch.equal(p.detach(), original_before[k])]
    assert moved, f"{name} left every weight as the original's (BN statistics alone are not unlearning)"
    x, _ = prep.splits.tensors("test")
    with torch.no_grad():
        out = model.eval()(x[:16])
    assert out.shape == (len(x[:16]), prep.splits.task.out_dim) and torch.isfinite(out).all()
    split = METHODS.get(name).calibration_split
    if split is not None and _norms(model):
        idx = prep.splits.index(split)[:4000]
        fresh = recalibrate_batchnorm(copy.deepcopy(model), prep.splits.loader(idx, prep.scenario.train.batch_size),
                                      prep.device)
        for a, b in zip(_norms(model), _norms(fresh)):
            assert torch.allclose(a.running_mean, b.running_mean, atol=1e-5), f"{name}: BN not recalibrated on {split}"
            assert torch.allclose(a.running_var, b.running_var, atol=1e-4), f"{name}: BN not recalibrated on {split}"


def check_progress(name: str, rec: Recorder) -> None:
    """The run reported, and its last unlearning report closes the run with live metrics."""
    assert rec.calls, f"{name} never reported progress"
    closing = [c for c in rec.calls if "test_acc" in c[3]]
    assert closing, f"{name} reported no live metrics"
    step, total, _, metrics = closing[-1]
    assert step == total and "test_acc" in metrics, f"{name}'s last report should close the run with live metrics"
