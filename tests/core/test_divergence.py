"""A diverged run ends failed with a named reason, never "succeeded" with test accuracy 0.

``lr: 1e6`` is refused at validation (train.lr at most 10); what still diverges inside the allowed
range (an exploded or non-finite loss, a weight gone NaN in a method's own loop) raises ``Diverged``
saying where and which learning rate to lower.
"""

from __future__ import annotations

import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.base import Context
from core.models import ModelSpec, build_model
from core.training import Diverged, train_epochs


@pytest.fixture
def splits(toy_table):
    return make_splits(toy_table, "y", ForgetRequest(kind="identities", count=2))


def _model(splits):
    torch.manual_seed(0)
    return build_model("smallcnn", ModelSpec(3, 16, splits.task.out_dim))


def test_an_exploding_loss_stops_training_with_where_and_what_to_lower(splits):
    """Adam at lr 1e3 keeps the loss finite (about 1e7) but far above chance: that is divergence too."""
    loader = splits.loader("train", 64, shuffle=True)
    with pytest.raises(Diverged, match=r"loss became .* at epoch 1 of 2 of the original model's training "
                                       r"\(lr 1000; chance is 1\.10\); lower train\.lr"):
        train_epochs(_model(splits), loader, splits.task, 2, 1e3, torch.device("cpu"), stage="original")


def test_a_nan_loss_names_the_stage(splits):
    model = _model(splits)
    with torch.no_grad():
        next(model.parameters()).fill_(float("nan"))
    with pytest.raises(Diverged, match=r"loss became nan at epoch 1 of 1 of fine-tuning \(lr 0\.001\); lower the method"):
        train_epochs(model, splits.loader("retain", 64), splits.task, 1, 1e-3, torch.device("cpu"), stage="fine-tuning")


def test_a_method_report_refuses_non_finite_weights(splits):
    """Every method reports through Context.report, including those with their own optimisation loop."""
    model = _model(splits)
    ctx = Context(model=model, splits=splits, device=torch.device("cpu"), model_name="smallcnn", stage="unlearn")
    with torch.no_grad():
        list(model.parameters())[-1][0] = float("inf")
    with pytest.raises(Diverged, match=r"unlearn step 2 of 5: weight .* became NaN or infinite; lower the learning rate"):
        ctx.report(2, 5, model)


def test_a_diverging_run_ends_failed_with_the_reason(tiny_scenario):
    """The largest learning rate validation lets through still diverges on this task: the run fails, named."""
    from core.runs import RunStore
    from core.runs.worker import execute

    tiny_scenario["train"]["lr"] = 10.0
    store = RunStore()
    run_id = store.create(tiny_scenario, "diverges")
    assert execute(store, run_id) == "failed"
    error = store.get(run_id).error
    assert error.startswith("Diverged: loss became") and "of the original model's training (lr 10" in error
    assert error.split("\n\n")[0].endswith("lower train.lr")
