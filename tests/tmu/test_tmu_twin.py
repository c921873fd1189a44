"""The twin problem: held-out twin forget sets at the real forget/remain ratio, siblings for data
with people, augmentation when held-out data runs short, and the twin model pair."""

from __future__ import annotations

import copy

import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.tmu.augment import augment
from core.methods.tmu.twin import draw_twin_set, forget_ratios, sibling_share, twin_sizes
from core.methods.tmu.twin_models import build_twin_pair, generalization_labels
from tests.tmu.toy import make_context, people_table


def gen() -> torch.Generator:
    return torch.Generator().manual_seed(0)


def test_twin_size_keeps_the_forget_remain_ratio(subset_splits):
    sp = subset_splits
    cls = lambda idx: sp.targets(idx)[:, 0]  # noqa: E731
    n_f, n_r, n_train = (int((cls(i) == 0).sum()) for i in (sp.forget, sp.retain, sp.train))
    assert twin_sizes(sp, "forget") == {0: round(n_f / n_r * n_train)}
    assert set(twin_sizes(sp, "all")) == {0, 1, 2}


@pytest.mark.parametrize("scope", ["forget", "all"])
def test_twin_set_comes_from_held_out_people_with_their_siblings(subset_splits, scope):
    sp = subset_splits
    twin = draw_twin_set(sp, "unseen", scope, ["shift"], gen())
    ident = sp.table.identity
    assert not set(twin.rows.tolist()) & set(sp.train.tolist())
    assert set(twin.rows.tolist()) <= set(sp.unseen.tolist())
    assert not set(twin.rows.tolist()) & set(twin.siblings.tolist())
    assert set(ident[twin.siblings].tolist()) <= set(ident[twin.rows].tolist())
    share = sibling_share(sp)
    assert 0 < share < 1
    original = twin.rows[~twin.augmented]
    for person in ident[original].unique().tolist():  # each held-out person: a share in D_t, the rest siblings
        n_person = int((ident[original] == person).sum()) + int((ident[twin.siblings] == person).sum())
        assert int((ident[original] == person).sum()) == max(1, round(share * n_person))
    classes = set(twin.y[:, 0].tolist())
    assert classes == ({0} if scope == "forget" else {0, 1, 2})


def test_without_people_the_twin_has_no_siblings():
    table = people_table()
    table.identity = None
    sp = make_splits(table, "y", ForgetRequest(kind="class_subset", column="y", value=0, fraction=0.3), seed=0)
    twin = draw_twin_set(sp, "unseen", "forget", ["shift"], gen())
    assert len(twin.siblings) == 0 and sibling_share(sp) == 1.0
    assert len(twin) == twin_sizes(sp, "forget")[0]


def test_short_held_out_data_is_filled_by_augmentation():
    table = people_table()
    table.identity = None
    sp = make_splits(table, "y", ForgetRequest(kind="class_subset", column="y", value=0, fraction=0.8), seed=0)
    twin = draw_twin_set(sp, "test", "forget", ["shift", "noise"], gen())
    pool = int((sp.targets(sp.test)[:, 0] == 0).sum())
    assert len(twin) == twin_sizes(sp, "forget")[0] > pool
    assert int(twin.augmented.sum()) == len(twin) - pool
    assert twin.x.min() >= 0 and twin.x.max() <= 1


def test_forgetting_a_whole_class_is_refused_clearly():
    sp = make_splits(people_table(), "y", ForgetRequest(kind="class", column="y", value=0), seed=0)
    with pytest.raises(ValueError, match="no remaining training samples"):
        forget_ratios(sp)


def test_augment_keeps_shape_and_range_and_names_bad_kinds():
    x = torch.rand(4, 3, 8, 8)
    out = augment(x, ["shift", "noise", "flip"], gen())
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1 and not torch.equal(out, x)
    with pytest.raises(ValueError, match="allowed: shift, noise, flip"):
        augment(x, ["rotate"], gen())


def test_twin_pair_learns_the_twin_set_and_its_gold_is_the_original_without_siblings(subset_splits, subset_model):
    sp = subset_splits
    ctx = make_context(sp, copy.deepcopy(subset_model))
    twin = draw_twin_set(sp, "unseen", "forget", ["shift"], gen())
    model, gold = build_twin_pair(ctx, subset_model, twin, 2, 1e-3, 1, gen())
    assert gold is not subset_model and model is not subset_model  # people: gold is fine-tuned on the siblings
    assert generalization_labels(model, sp.task, twin.x, twin.y, ctx.device).float().mean() <= 0.2
    twin.siblings = twin.siblings[:0]
    _, gold = build_twin_pair(ctx, subset_model, twin, 1, 1e-3, 1, gen())
    assert gold is subset_model


def test_twin_models_bn_statistics_are_those_of_their_training_data(subset_splits, subset_model):
    """The twin model's eval-mode BN averages describe the data it was fine-tuned on (as every model
    of the pipeline), not momentum averages that lag behind the fine-tune."""
    from core.methods.tmu.twin_models import fine_tune_copy
    from tests.tmu.bn_check import first_bn_expected_mean

    sp = subset_splits
    ctx = make_context(sp, copy.deepcopy(subset_model))
    twin = draw_twin_set(sp, "unseen", "all", ["shift"], gen())
    model = fine_tune_copy(ctx, subset_model, twin.x, twin.y, 2, 3e-3, 0, gen(), "tmu twin")  # replay 0: data = twin
    bn, expected = first_bn_expected_mean(model, twin.x, ctx.train.batch_size)
    assert torch.allclose(bn.running_mean, expected, rtol=1e-4, atol=1e-5)
