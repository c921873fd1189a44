"""Every registered method, on tiny data: same-shaped model back, progress reported, Cancelled
honoured, and a multi-label task either handled or refused by ``check`` with a clear error.

Parametrised over the METHODS registry, so a method added later is held to the same contract.
"""

from __future__ import annotations

import copy

import pytest
import torch

from core.methods import METHODS
from core.progress import Cancelled
from tests.methods.toy_identity import toy_context, toy_splits, trained_model

torch.set_num_threads(1)


class Recorder:
    """A progress callback that records its calls and can cancel at the n-th one."""

    def __init__(self, cancel_at: int | None = None) -> None:
        self.calls: list[tuple[int, int, str, dict]] = []
        self.cancel_at = cancel_at

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        self.calls.append((step, total, stage, metrics))
        if self.cancel_at is not None and len(self.calls) >= self.cancel_at:
            raise Cancelled("test cancel")


@pytest.fixture(scope="module")
def single():
    splits = toy_splits("y", n_id=20, per=10)
    return splits, trained_model(splits)


@pytest.fixture(scope="module")
def multi():
    splits = toy_splits(["y", "z"], n_id=20, per=10)
    return splits, trained_model(splits)


def _ready(name: str, splits, model, progress):
    method = METHODS.get(name)()
    ctx = toy_context(splits, copy.deepcopy(model), progress)
    try:
        method.check(ctx)
    except ValueError as exc:
        pytest.skip(f"{name} does not apply to forgetting identities: {exc}")
    return method, ctx


def _same_shapes(a: torch.nn.Module, b: torch.nn.Module) -> None:
    sa, sb = a.state_dict(), b.state_dict()
    assert list(sa) == list(sb)
    for k in sa:
        assert sa[k].shape == sb[k].shape, k
        if sa[k].is_floating_point():
            assert torch.isfinite(sa[k]).all(), f"{k} has NaN/inf"


@pytest.mark.parametrize("name", METHODS.names())
def test_returns_same_shaped_model_and_reports(name, single):
    splits, original = single
    rec = Recorder()
    method, ctx = _ready(name, splits, original, rec)
    out = method.unlearn(ctx)
    _same_shapes(out, original)
    assert rec.calls, f"{name} never reported progress"
    step, total, _, metrics = rec.calls[-1]
    assert step == total and "test_acc" in metrics, "the last report should close the run with live metrics"
    x, _ = splits.tensors("test")
    with torch.no_grad():
        assert out.eval()(x[:4]).shape == (4, splits.task.out_dim)


@pytest.mark.parametrize("name", METHODS.names())
def test_stops_with_cancelled(name, single):
    splits, original = single
    rec = Recorder(cancel_at=1)
    method, ctx = _ready(name, splits, original, rec)
    with pytest.raises(Cancelled):
        method.unlearn(ctx)
    assert len(rec.calls) == 1, "the method kept going after progress raised Cancelled"


@pytest.mark.parametrize("name", METHODS.names())
def test_multi_label_works_or_is_refused_clearly(name, multi):
    splits, original = multi
    method = METHODS.get(name)()
    ctx = toy_context(splits, copy.deepcopy(original))
    if not method.multi_label:
        with pytest.raises(ValueError, match="multi-label"):
            method.check(ctx)
        return
    try:
        method.check(ctx)
    except ValueError as exc:
        pytest.skip(f"{name} does not apply to forgetting identities: {exc}")
    out = method.unlearn(ctx)
    _same_shapes(out, original)
    x, y = splits.tensors("test")
    with torch.no_grad():
        logits = out.eval()(x)
    assert logits.shape == (len(x), 5)  # heads y (3 classes) and z (2 classes)
    assert splits.task.correct(logits, y).shape == (len(x),)


def test_every_method_has_documented_params():
    from core.params import describe_params

    for name in METHODS.names():
        for field in describe_params(METHODS.get(name).Params):
            assert field["help"], f"{name}.{field['name']} has no help line"
