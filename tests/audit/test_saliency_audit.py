"""The saliency audit on a real tiny run: maps, grids, mask shares; planted maps; captum equivalence."""

from __future__ import annotations

import json

import pytest
import torch
from PIL import Image

from core.explain.saliency_audit import (
    KINDS, MAPS_FILE, Target, choose_images, explain, mask_shares, run_saliency_audit, safe_saliency_audit,
)


@pytest.fixture(scope="module")
def audited(audit_prep, tmp_path_factory):
    prep, models = audit_prep
    workdir = tmp_path_factory.mktemp("audit-workdir")
    return prep, models, workdir, run_saliency_audit(prep, models, workdir)


def test_maps_have_the_images_shape_for_every_model_target_and_kind(audited):
    prep, models, workdir, summary = audited
    state = torch.load(workdir / "audit" / MAPS_FILE, weights_only=True)
    n = len(summary["images"])
    assert n == 8 and [i["split"] for i in summary["images"]] == ["forget"] * 4 + ["retain"] * 4
    assert state["images"].shape == (8, 3, 32, 32) and state["masks"].shape == (8, 32, 32)
    assert set(state["maps"]) == {"task", "attribute"}
    for target in state["maps"].values():
        assert set(target) == set(KINDS)
        for by_model in target.values():
            assert list(by_model) == list(models)
            for m in by_model.values():
                assert m.shape == (8, 32, 32) and m.min() >= 0 and m.max() <= 1 and m.max() > 0
    json.dumps(summary)  # the results document stores it as is


def test_forget_rows_come_from_the_forget_split_deterministically(audited):
    prep, _, _, summary = audited
    again = choose_images(prep.splits, 4, prep.scenario.seed)
    assert [i["row"] for i in summary["images"]] == again.rows.tolist()
    assert set(again.rows[:4].tolist()) <= set(prep.splits.forget.tolist())
    assert set(again.rows[4:].tolist()) <= set(prep.splits.retain.tolist())


def test_grids_are_pngs_with_a_row_per_image(audited):
    _, _, workdir, summary = audited
    grids = summary["files"]["grids"]
    assert set(grids) == {f"{t}/{k}" for t in ("task", "attribute") for k in KINDS}
    for rel in grids.values():
        with Image.open(workdir / rel) as img:
            assert img.format == "PNG" and img.height > 8 * 32 * 3 and img.width > 5 * 32 * 3


def test_mask_shares_are_in_unit_interval_before_and_after(audited):
    _, models, _, summary = audited
    region = summary["region"]
    assert region["mask"] == "Eyeglasses" and region["n_images"] == 4  # the forget images wear glasses
    assert 0 < region["mask_area"] < 1
    for target in ("task", "attribute"):
        for kind in KINDS:
            shares = region["share"][target][kind]
            assert set(shares) == set(models)
            assert all(0.0 <= v <= 1.0 for v in shares.values()), shares
    probe = summary["targets"]["attribute"]
    assert set(probe["probe_test_acc"]) == set(models) and 0 <= probe["probe_chance"] <= 1


def test_a_planted_map_on_the_mask_scores_higher_than_one_off_it(audit_prep):
    prep, _ = audit_prep
    images = choose_images(prep.splits, 4, 0)
    masks = images.masks
    noise = torch.rand(masks.shape, generator=torch.Generator().manual_seed(0)) * 0.05
    on, off = masks.float() + noise, (~masks).float() + noise
    uniform = torch.ones(masks.shape)
    per_on, mean_on = mask_shares(on, masks)
    _, mean_off = mask_shares(off, masks)
    _, mean_uniform = mask_shares(uniform, masks)
    assert mean_on > 0.5 > mean_uniform > mean_off
    has = masks.flatten(1).any(1)
    assert torch.isnan(per_on[~has]).all() and not torch.isnan(per_on[has]).any()
    area = masks.flatten(1).float().mean(1)[has].mean()
    assert mean_uniform == pytest.approx(float(area), rel=1e-5)


@pytest.mark.filterwarnings("ignore:Setting backward hooks on ReLU")
def test_guided_gradcam_equals_captums_with_bilinear_upsampling(audit_prep):
    from captum.attr import GuidedGradCam

    from core.explain.gradcam import last_conv
    from core.explain.guided_backprop import _hookable_copy, saliency

    prep, models = audit_prep
    model = models["original"]
    images = choose_images(prep.splits, 4, 0)
    target = images.labels[:, 0]
    ours = explain(Target(model, last_conv(model), target), images.x, prep.device)["guided_gradcam"]
    clone = _hookable_copy(model, prep.device)
    theirs = GuidedGradCam(clone, last_conv(clone)).attribute(images.x.clone().requires_grad_(True), target=target,
                                                              interpolate_mode="bilinear")
    assert ours.flatten(1).amax(1).gt(0).sum() >= 2  # a real comparison (GradCAM is all-zero where the class has no positive evidence)
    torch.testing.assert_close(ours, saliency(theirs.detach()), atol=1e-5, rtol=1e-4)


def test_a_failing_audit_is_recorded_not_raised(audit_prep, tmp_path):
    prep, models = audit_prep
    out = safe_saliency_audit(prep, {"only": models["original"]}, tmp_path)
    assert set(out) == {"error"} and "no model named 'original'" in out["error"]


def test_a_request_without_masks_skips_region_shares_with_a_note(toy_table, tmp_path):
    from core.config import scenario_from_dict
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits
    from core.models import ModelSpec, build_model
    from core.pipeline.prepared import Prepared
    from core.pipeline.reference_models import Trained

    splits = make_splits(toy_table, "y", ForgetRequest(kind="identities", count=2), seed=0)
    sc = scenario_from_dict({"task": "y", "device": "cpu"})
    torch.manual_seed(0)
    models = {k: build_model("smallcnn", ModelSpec(3, 16, 3)) for k in ("original", "gold", "retrain")}
    prep = Prepared(sc, splits, torch.device("cpu"), Trained(models["original"], 1.0, False),
                    Trained(models["gold"], 1.0, False))
    summary = run_saliency_audit(prep, models, tmp_path, per_split=2)
    assert summary["region"] is None and "no ground-truth mask" in summary["notes"][0]
    assert set(summary["targets"]) == {"task"} and len(summary["files"]["grids"]) == len(KINDS)
    assert summary["after"] == "retrain"
