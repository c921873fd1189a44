"""Guided backprop (captum) on any head, and the share of a map inside a region."""

import pytest
import torch
from torch import nn

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.explain.guided_backprop import guided_backprop, region_share, saliency
from core.models import ModelSpec, build_model
from core.task import Task
from core.training import train_epochs


def test_shapes_targets_and_heads_without_touching_the_model():
    torch.manual_seed(0)
    model = build_model("smallcnn", ModelSpec(3, 16, 5))
    task = Task(("a", "b"), (2, 3))
    x = torch.rand(4, 3, 16, 16)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    predicted = guided_backprop(model, x, task=task, head=1)
    fixed = guided_backprop(model, x, target=torch.tensor([0, 1, 2, 0]), task=task, head=1, batch_size=3)
    assert predicted.shape == fixed.shape == x.shape
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(m.inplace for m in model.modules() if isinstance(m, nn.ReLU))  # the copy was changed, not this
    assert not any(m._backward_hooks or m._forward_hooks for m in model.modules())
    with pytest.raises(ValueError, match="head 2 does not exist"):
        guided_backprop(model, x, task=task, head=2)
    sal = saliency(predicted)
    assert sal.shape == (4, 16, 16) and torch.allclose(sal.flatten(1).amax(1), torch.ones(4))


def test_region_share():
    maps = torch.zeros(2, 4, 4)
    maps[0, :2] = 1.0  # top half
    maps[1] = 1.0
    top = torch.zeros(2, 4, 4, dtype=torch.bool)
    top[:, :2] = True
    assert region_share(maps, top).tolist() == pytest.approx([1.0, 0.5])
    with pytest.raises(ValueError, match="differ in shape"):
        region_share(maps, top[:, :2])


def test_a_trained_model_looks_at_the_part_that_decides_its_task(faces):
    splits = make_splits(faces, "top", ForgetRequest(kind="attribute", column="mouth"), seed=0)
    torch.manual_seed(0)
    model = build_model("smallcnn", ModelSpec(3, 16, 2))
    train_epochs(model, splits.loader("train", 16, True, 0), splits.task, 2, 2e-3, torch.device("cpu"))
    rows = splits.test[faces.columns["top"][splits.test] == 1][:16]
    x, _ = splits.tensors(rows)
    share = region_share(saliency(guided_backprop(model, x, task=splits.task)), faces.masks["top"][rows])
    area = faces.masks["top"][0].float().mean()
    assert share.mean() > 2 * area
