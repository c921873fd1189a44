"""Every method on attribute and pattern requests, through ``run_method`` as production runs it:
the same architecture back with finite weights and outputs, weights moved, BatchNorm statistics
re-estimated where the method has a calibration split, progress reported, Cancelled propagated,
and a clear ValueError from ``check`` for a request that is not an attribute.

A method is skipped only for a forget kind it does not declare (``Method.kinds``); a ``ValueError``
for a kind it declares fails (``tests/methods/conformance.py``).
"""

from __future__ import annotations

import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods import METHODS
from core.methods.base import Context
from core.models import ModelSpec, build_model
from core.pipeline import run_method
from core.progress import Cancelled
from tests.attribute.planted import planted_prepared, planted_splits, planted_table
from tests.methods.conformance import Recorder, check_progress, check_unlearned, run_conformant, snapshot

TINY = {
    "detachment": {"epochs": 1, "reconstructions": False},
    "gradcam_erase": {"epochs": 1, "classifier_epochs": 1},
    "drop_attribute_finetune": {"epochs": 1},
    "drop_attribute_retrain": {"epochs": 1},
    "adversarial_remover": {"iterations": 2, "adversary_epochs": 1, "width": 4, "examples": 2},
    "pattern_unlearning": {"identifier_epochs": 1, "epochs": 1, "examples": 2},
    "tmu": {"epochs": 1, "twin_epochs": 1, "af_steps": 2, "cf_epochs": 1, "mlp_epochs": 20},
}
ATTRIBUTE_ONLY = sorted(n for n in METHODS.names() if METHODS.get(n).kinds == ("attribute",))
# Methods of every kind (kinds None) are not run again on the pattern request: its forget set is
# "column == value", the same sample set as the attribute request's that they are run on here.
PATTERN = sorted(n for n in METHODS.names() if "pattern" in (METHODS.get(n).kinds or ()))


@pytest.fixture(scope="module")
def pattern():
    """The planted table with a pattern request: the bar ("glasses") is the pattern to erase."""
    splits = make_splits(planted_table(), "y", ForgetRequest(kind="pattern", column="glasses", value=1), seed=0,
                         test_fraction=0.25, unseen_fraction=0.15)
    return planted_prepared(epochs=2, splits=splits)


@pytest.mark.parametrize("name", METHODS.names())
def test_attribute_request_through_the_pipeline(planted, name):
    before = snapshot(planted.original.model)
    rec = Recorder()
    model = run_conformant(planted, name, TINY.get(name), rec)
    check_unlearned(planted, name, model, before)
    check_progress(name, rec)


@pytest.mark.parametrize("name", PATTERN)
def test_pattern_request_through_the_pipeline(pattern, name):
    before = snapshot(pattern.original.model)
    rec = Recorder()
    model = run_conformant(pattern, name, TINY.get(name), rec)
    check_unlearned(pattern, name, model, before)
    check_progress(name, rec)


@pytest.mark.parametrize("name", ATTRIBUTE_ONLY)
def test_cancel_propagates(planted, name):
    with pytest.raises(Cancelled):
        run_method(planted, name, TINY.get(name, {}), progress=Recorder(cancel_at=1))


def _ctx(kind: str) -> Context:
    splits = planted_splits(kind=kind)
    model = build_model("smallcnn", ModelSpec(3, 16, splits.task.out_dim))
    return Context(model=model, splits=splits, device=torch.device("cpu"), model_name="smallcnn")


@pytest.mark.parametrize("name", ATTRIBUTE_ONLY)
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
