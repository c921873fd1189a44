"""Filter groups: eigengap on planted blocks, spectral recovery, the grouping loss, the identifier, explorer."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest
import torch

import core.methods  # noqa: F401  (registers the "pattern" forget kind)
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.pattern.filter_groups import eigengap, filter_similarity, group_order, grouping_loss, spectral_groups
from core.methods.pattern.explorer import GroupExplorer, best_group, explore
from core.methods.pattern.figures import group_maps_figure, overlap_figure, similarity_figure, spectrum_figure
from core.methods.pattern.identifier import IdentifierParams, group_maps, train_identifier
from core.models import ModelSpec, build_model
from core.training import train_epochs


def planted(sizes=(10, 6, 8, 12), within=0.8, noise=0.05, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(len(sizes)), sizes)
    d = len(labels)
    rho = np.where(labels[:, None] == labels[None, :], within, 0.0) + rng.normal(0, noise, (d, d))
    rho = (rho + rho.T) / 2
    np.fill_diagonal(rho, 1.0)
    return np.clip(rho, -1, 1) + 1, labels


@pytest.mark.parametrize("sizes", [(10, 6, 8, 12), (8, 8, 8, 8, 8, 8), (20, 12)])
def test_eigengap_finds_the_planted_number_of_blocks(sizes):
    sim, labels = planted(sizes)
    gap = eigengap(sim, max_groups=16)
    assert gap.k == len(sizes)
    assert gap.k in gap.top_k and len(gap.top_k) == 5
    assert np.all(np.diff(gap.eigenvalues) >= -1e-12)  # sorted, unlike the published snippet
    groups = spectral_groups(sim, gap.k)
    # same partition up to renaming: every planted block maps to one group and back
    pairs = set(zip(labels.tolist(), groups.tolist()))
    assert len(pairs) == len(sizes) == len(set(groups.tolist()))


def test_similarity_is_pearson_plus_one():
    acts = torch.rand(5, 4, 3, 3)
    acts[:, 1] = 2 * acts[:, 0] + 1  # perfectly correlated with filter 0
    acts[:, 2] = -acts[:, 0]  # perfectly anti-correlated
    s = filter_similarity(acts)
    flat = acts.transpose(0, 1).reshape(4, -1).numpy()
    assert torch.allclose(s, torch.tensor(np.corrcoef(flat) + 1, dtype=torch.float), atol=1e-4)
    assert s[0, 1] == pytest.approx(2.0, abs=1e-4) and s[0, 2] == pytest.approx(0.0, abs=1e-4)


def test_grouping_loss_prefers_the_true_partition():
    sim, labels = planted()
    s = torch.tensor(sim, dtype=torch.float)
    true = grouping_loss(s, torch.tensor(labels))
    shuffled = grouping_loss(s, torch.tensor(np.random.default_rng(1).permutation(labels)))
    assert true < shuffled
    assert -len(set(labels.tolist())) <= true.item() < 0


def test_eigengap_rejects_bad_input():
    with pytest.raises(ValueError, match="square"):
        eigengap(np.ones((3, 4)))
    with pytest.raises(ValueError, match="too few"):
        eigengap(np.ones((2, 2)))


@pytest.fixture(scope="module")
def trained(faces):
    splits = make_splits(faces, "top", ForgetRequest(kind="pattern", column="mouth"), seed=0)
    torch.manual_seed(0)
    model = build_model("smallcnn", ModelSpec(3, 16, 2))
    train_epochs(model, splits.loader("train", 16, True, 0), splits.task, 2, 2e-3, torch.device("cpu"))
    return splits, model


def test_identifier_training_lowers_the_grouping_loss(trained):
    splits, model = trained
    params = IdentifierParams(epochs=4, recluster_every=100, lr=2e-3)
    sample, _ = splits.tensors(splits.train[:128])
    seen = []
    ident = train_identifier(model, "smallcnn", splits.loader("train", 32, True, 0), sample, splits.task,
                             torch.device("cpu"), params, on_epoch=lambda s, t, losses: seen.append((s, t)))
    losses = [h["group_loss"] for h in ident.history]
    assert losses[-1] < losses[0]
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert ident.k >= 2 and len(ident.groups) == 128  # smallcnn's default layer has 4 x 32 filters
    assert ident.gap.k == ident.k


def test_explorer_data_round_trips_and_draws(trained, tmp_path):
    splits, model = trained
    sample, _ = splits.tensors(splits.train[:64])
    ident = train_identifier(model, "smallcnn", splits.loader("train", 32, True, 0), sample, splits.task,
                             torch.device("cpu"), IdentifierParams(epochs=1))
    ex = explore(ident, splits, torch.device("cpu"), n_images=3)
    json.dumps(ex.doc)  # JSON-able
    k = ex.doc["k"]
    assert ex.arrays["group_maps"].shape == (3, k, 16, 16)
    assert ex.arrays["similarity_ordered"].shape == (128, 128)
    assert set(ex.doc["overlap"]["0"]) == {"top", "mouth", "eyes"}
    assert 0 <= best_group(ex.doc, "mouth") < k
    with pytest.raises(ValueError, match="masks available"):
        best_group(ex.doc, "hat")
    ex.save(tmp_path / "fg")
    back = GroupExplorer.load(tmp_path / "fg")
    assert back.doc["k"] == k and np.allclose(back.arrays["group_maps"], ex.arrays["group_maps"])
    for fig in (spectrum_figure(ex.doc["eigengap"]),
                similarity_figure(ex.arrays["similarity_ordered"], ex.doc["group_sizes"]),
                group_maps_figure(ex.arrays["images"], ex.arrays["group_maps"], ex.doc["names"]),
                overlap_figure(ex.doc["overlap"], ex.doc["area"], ex.doc["names"])):
        assert isinstance(fig, go.Figure) and len(fig.data) > 0


def test_overlap_figure_shows_share_and_lift_per_group_and_mask():
    overlap = {"0": {"eyes": 0.1, "mouth": 0.6}, "1": {"eyes": 0.4, "mouth": 0.1}}
    heat = overlap_figure(overlap, {"eyes": 0.1, "mouth": 0.2}, {"0": "mouth"}).data[0]
    assert list(heat.x) == ["eyes", "mouth"]
    assert list(heat.y) == ["group 0: mouth", "group 1", "uniform map (mask area)"]
    assert heat.text[0][1] == "60% (3.0×)" and heat.text[2][0] == "10% (1.0×)"


def test_group_maps_are_scaled_per_map():
    acts = torch.rand(2, 6, 4, 4)
    maps = group_maps(acts, np.array([0, 0, 1, 1, 2, 2]), (16, 16))
    assert maps.shape == (2, 3, 16, 16)
    assert torch.allclose(maps.flatten(2).amax(2), torch.ones(2, 3))
    assert group_order(np.array([2, 0, 1, 0])).tolist() == [1, 3, 2, 0]
