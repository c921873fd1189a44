"""Conformance of the feature-unlearning methods: same-shaped model, progress, Cancelled, artifacts, errors."""

import copy

import pytest
import torch

import core.methods  # noqa: F401  (registers the methods and the "pattern" forget kind)
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods import METHODS, Context, TrainSettings
from core.models import ModelSpec, build_model
from core.params import build_params
from core.progress import Cancelled
from core.training import train_epochs

TINY = {
    "adversarial_remover": ({"kind": "attribute", "column": "mouth"},
                            {"iterations": 2, "adversary_epochs": 1, "width": 4, "examples": 2}),
    "pattern_unlearning": ({"kind": "pattern", "column": "mouth"},
                           {"identifier_epochs": 1, "epochs": 1, "examples": 2}),
}


def make_ctx(faces, method, task="top", progress=None, workdir=None):
    request, _ = TINY[method]
    splits = make_splits(faces, task, ForgetRequest(**request), seed=0)
    torch.manual_seed(0)
    model = build_model("smallcnn", ModelSpec(3, 16, splits.task.out_dim))
    train_epochs(model, splits.loader("train", 32, True, 0), splits.task, 1, 2e-3, torch.device("cpu"))
    calls = []

    def record(step, total, *, stage="", **metrics):
        calls.append((stage, step, total))
        if progress:
            progress(step, total, stage=stage, **metrics)

    ctx = Context(model=copy.deepcopy(model), splits=splits, device=torch.device("cpu"), model_name="smallcnn",
                  train=TrainSettings(1, 2e-3, 32), progress=record, workdir=workdir)
    return ctx, model, calls


def build(method, **overrides):
    cls = METHODS.get(method)
    return cls(build_params(cls.Params, {**TINY[method][1], **overrides}))


@pytest.mark.parametrize("method", sorted(TINY))
@pytest.mark.parametrize("task", ["top", ["top", "eyes"]])
def test_returns_a_same_shaped_model_and_reports_progress(faces, method, task, tmp_path):
    ctx, original, calls = make_ctx(faces, method, task, workdir=tmp_path)
    m = build(method)
    m.check(ctx)
    out = m.unlearn(ctx)
    before, after = original.state_dict(), out.state_dict()
    assert before.keys() == after.keys()
    assert all(before[k].shape == after[k].shape for k in before)
    assert out(torch.rand(2, 3, 16, 16)).shape == (2, ctx.splits.task.out_dim)  # usable on raw images
    assert any(stage == "unlearn" for stage, _, _ in calls)
    assert any(not torch.equal(before[k], after[k]) for k in before)


def test_adversarial_remover_stores_its_remover_and_examples(faces, tmp_path):
    ctx, _, _ = make_ctx(faces, "adversarial_remover", workdir=tmp_path)
    build("adversarial_remover", extra_features=["eyes"]).unlearn(ctx)
    a = ctx.artifacts
    assert a["features"] == ["mouth", "eyes"]
    assert (tmp_path / "remover.pt").exists() and (tmp_path / "remover_examples.png").exists()
    assert a["example_masks"].shape == (2, 1, 16, 16)
    assert 0 <= a["adversary_acc_masked"] <= 1 and 0 <= a["adversary_acc_raw"] <= 1


def test_pattern_unlearning_stores_explorer_data(faces, tmp_path):
    ctx, _, _ = make_ctx(faces, "pattern_unlearning", workdir=tmp_path)
    build("pattern_unlearning").unlearn(ctx)
    a = ctx.artifacts
    assert 0 <= a["pattern_group"] < a["pattern_k"]
    assert (tmp_path / "filter_groups" / "explorer.json").exists()
    assert (tmp_path / "filter_groups" / "group_maps.npy").exists()
    assert (tmp_path / "identifier.pt").exists() and (tmp_path / "identifier.json").exists()
    assert 0 < a["erased_share"] < 1
    assert a["pattern_check"]["measured_on"] == "unseen" and a["pattern_check"]["group"] == a["pattern_group"]


@pytest.mark.parametrize("method", sorted(TINY))
def test_cancelled_propagates(faces, method):
    def cancel(step, total, *, stage="", **metrics):
        raise Cancelled()

    ctx, _, _ = make_ctx(faces, method, progress=cancel)
    with pytest.raises(Cancelled):
        build(method).unlearn(ctx)


def test_checks_name_the_problem(faces):
    ctx, _, _ = make_ctx(faces, "adversarial_remover")
    ctx.splits.request = ForgetRequest(kind="identities", count=2)
    with pytest.raises(ValueError, match="set forget.kind to .attribute."):
        build("adversarial_remover").check(ctx)
    with pytest.raises(ValueError, match="is the task being learned"):
        build("adversarial_remover", extra_features=["top"]).check(ctx)
    with pytest.raises(ValueError, match="choose the filter group"):
        build("pattern_unlearning").check(ctx)
    with pytest.raises(ValueError, match="no ground-truth mask"):
        build("pattern_unlearning", region="top_hat").check(ctx)
    with pytest.raises(ValueError, match="no module"):
        build("pattern_unlearning", group=0, layer="nope").check(ctx)
    build("pattern_unlearning", group=0).check(ctx)


def test_pattern_forget_kind(faces):
    by_column = make_splits(faces, "top", ForgetRequest(kind="pattern", column="mouth"), seed=0)
    assert bool((faces.columns["mouth"][by_column.forget] == 1).all())
    random_half = make_splits(faces, "top", ForgetRequest(kind="pattern"), seed=0)
    assert abs(len(random_half.forget) - len(random_half.train) / 2) <= 1
