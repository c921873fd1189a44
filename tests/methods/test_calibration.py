"""BatchNorm recalibration: every method's model leaves ``run_method`` with running statistics that
match its final weights on the method's calibration split, and only BN buffers are touched."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from core.methods import METHODS
from core.pipeline import run_method
from core.training import recalibrate_batchnorm
from tests.attribute.planted import planted_prepared

SPLITS = {"train", "retain", "forget", "test", "unseen"}


def _norms(model: nn.Module) -> list[nn.modules.batchnorm._BatchNorm]:
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


@pytest.mark.parametrize("name", METHODS.names())
def test_every_method_names_a_real_split_or_none(name):
    split = METHODS.get(name).calibration_split
    assert split is None or split in SPLITS


def test_the_returned_model_has_statistics_of_its_weights_on_retain():
    prep = planted_prepared(epochs=1, kind="identities")
    model, _, _ = run_method(prep, "finetune", {"epochs": 1, "lr": 0.01})
    fresh = recalibrate_batchnorm(copy.deepcopy(model), prep.splits.loader("retain", 32), prep.device)
    for got, want in zip(_norms(model), _norms(fresh)):
        assert torch.allclose(got.running_mean, want.running_mean, atol=1e-5)
        assert torch.allclose(got.running_var, want.running_var, atol=1e-4)


def test_recalibration_changes_only_batchnorm_buffers():
    prep = planted_prepared(epochs=1, kind="identities")
    model = copy.deepcopy(prep.original.model)
    for m in _norms(model):
        m.running_mean.fill_(5.0)  # stale on purpose
    weights = {k: v.clone() for k, v in model.named_parameters()}
    recalibrate_batchnorm(model, prep.splits.loader("retain", 32), prep.device)
    assert all(torch.equal(v, weights[k]) for k, v in model.named_parameters())
    assert all(not torch.allclose(m.running_mean, torch.full_like(m.running_mean, 5.0)) for m in _norms(model))
    assert not model.training
