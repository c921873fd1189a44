"""The attribute methods behave like every method: same-shaped model, progress reported, Cancelled
propagated, and a clear ValueError from ``check`` for a request that is not an attribute."""

from __future__ import annotations

import pytest
import torch

from core.methods import METHODS
from core.methods.base import Context
from core.models import ModelSpec, build_model
from core.pipeline import run_method
from core.progress import Cancelled
from tests.attribute.planted import planted_splits

TINY = {
    "detachment": {"epochs": 1, "reconstructions": False},
    "gradcam_erase": {"epochs": 1, "classifier_epochs": 1},
    "drop_attribute_finetune": {"epochs": 1},
    "drop_attribute_retrain": {"epochs": 1},
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_same_shaped_model_and_progress(planted, recorder, name):
    model, _, _ = run_method(planted, name, TINY[name], progress=recorder)
    original = planted.original.model
    x = planted.splits.tensors("test")[0][:4]
    assert model(x).shape == original(x).shape
    assert model.state_dict().keys() == original.state_dict().keys()
    assert any(e["stage"] == "unlearn" for e in recorder.events)


@pytest.mark.parametrize("name", sorted(TINY))
def test_cancel_propagates(planted, name):
    def cancel(step, total, *, stage="", **metrics):
        raise Cancelled()

    with pytest.raises(Cancelled):
        run_method(planted, name, TINY[name], progress=cancel)


def _ctx(kind: str) -> Context:
    splits = planted_splits(kind=kind)
    model = build_model("smallcnn", ModelSpec(3, 16, splits.task.out_dim))
    return Context(model=model, splits=splits, device=torch.device("cpu"), model_name="smallcnn")


@pytest.mark.parametrize("name", sorted(TINY))
def test_check_refuses_a_request_that_is_not_an_attribute(name):
    method = METHODS.get(name)()
    with pytest.raises(ValueError, match="forget.kind to 'attribute'"):
        method.check(_ctx("identities"))
    method.check(_ctx("attribute"))


def test_check_names_unknown_or_task_columns():
    ctx = _ctx("attribute")
    cls = METHODS.get("detachment")
    with pytest.raises(ValueError, match="no column 'nope'"):
        cls(cls.Params(extra_attributes=["nope"])).check(ctx)
    with pytest.raises(ValueError, match="is the task"):
        cls(cls.Params(extra_attributes=["y"])).check(ctx)
