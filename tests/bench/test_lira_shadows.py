"""LiRA's shadow models are trained with the pipeline's recipe, BatchNorm recalibration included:
each shadow's eval-mode BN averages describe the retain rows it trained on."""

from __future__ import annotations

import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.base import TrainSettings
from core.metrics.lira import shadow_rows, train_shadows
from tests.methods.toy_identity import toy_table
from tests.tmu.bn_check import first_bn_expected_mean


def test_shadow_bn_statistics_are_those_of_their_training_rows():
    splits = make_splits(toy_table(n_id=24, per=10), "y", ForgetRequest(kind="identities", count=2), seed=0)
    train = TrainSettings(epochs=2, lr=3e-3, batch_size=32)
    shadows = train_shadows(splits, "smallcnn", train, 2, torch.device("cpu"), seed=0)
    for i, model in enumerate(shadows):
        x, _ = splits.tensors(shadow_rows(splits, 0, i))
        bn, expected = first_bn_expected_mean(model, x, train.batch_size)
        assert torch.allclose(bn.running_mean, expected, rtol=1e-4, atol=1e-5), i
