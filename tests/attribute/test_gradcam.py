"""GradCAM helper and the erasure baseline's pieces: maps point at the planted attribute; the erased
share is what was asked for."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from core.explain.gradcam import gradcam, last_conv
from core.methods.base import Context
from core.methods.gradcam_erase import attribute_classifier, erase, erase_mask


@pytest.fixture(scope="module")
def glasses_classifier(planted):
    ctx = Context(model=planted.original.model, splits=planted.splits, device=planted.device, model_name="smallcnn",
                  train=planted.scenario.train)
    return attribute_classifier(ctx, "glasses", epochs=3, lr=3e-3)


def test_maps_concentrate_on_the_planted_bar(planted, glasses_classifier):
    table = planted.splits.table
    idx = planted.splits.index("test")
    has = idx[table.columns["glasses"][idx] == 1][:16]
    x = planted.splits.tensors(has)[0]
    maps = gradcam(glasses_classifier, x, target=1)
    assert maps.shape == (len(has), 16, 16) and float(maps.min()) >= 0 and float(maps.max()) <= 1
    bar = table.masks["glasses"][has].bool()
    assert maps[bar].mean() > maps[~bar].mean()


def test_targets_and_layers(planted, glasses_classifier):
    x = planted.splits.tensors("test")[0][:4]
    small = gradcam(glasses_classifier, x, target=[0, 1, 0, 1], layer=glasses_classifier.bottom[0][0], upsample=False)
    assert small.shape == (4, 16, 16)  # the first conv keeps full resolution
    coarse = gradcam(glasses_classifier, x, target=1, upsample=False, normalize=False)
    assert coarse.shape[-1] < 16
    with pytest.raises(ValueError, match="one class or one per image"):
        gradcam(glasses_classifier, x, target=[0, 1])
    with pytest.raises(ValueError, match="no Conv2d"):
        last_conv(nn.Linear(3, 2))
    glasses_classifier.train()  # the caller's mode is restored afterwards
    gradcam(glasses_classifier, x, target=1)
    assert glasses_classifier.training


def test_erase_mask_takes_the_requested_share_and_fills_with_the_mean():
    cams = torch.rand(3, 10, 10)
    mask = erase_mask(cams, 0.2)
    assert mask.sum(dim=(1, 2)).tolist() == [20, 20, 20]
    for i in range(3):
        assert cams[i][mask[i]].min() >= cams[i][~mask[i]].max()
    x = torch.rand(3, 3, 10, 10)
    out = erase(x, mask)
    assert torch.equal(out[:, :, ~mask[0]][0], x[:, :, ~mask[0]][0])
    assert torch.allclose(out[0, :, mask[0]], x[0].mean((1, 2))[:, None].expand(3, 20))
