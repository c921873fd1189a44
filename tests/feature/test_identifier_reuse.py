"""A pattern_unlearning run saves its identifier; a later run reuses it by run id (same groups, no
training), with clear errors when the run or its files are missing or do not fit; and the
no-annotation quality check is measured on held-out images."""

import copy
import json
import shutil

import numpy as np
import pytest
import torch

import core.methods  # noqa: F401  (registers the methods and the "pattern" forget kind)
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.pattern.explorer import choose_group, held_out_overlap, selection_rows
from core.methods.pattern.identifier import IdentifierNotFound, load_identifier
from core.methods import METHODS, Context, TrainSettings
from core.models import ModelSpec, build_model
from core.params import build_params
from core.runs import RunStore
from core.runs.store import stored_run_folder
from core.training import train_epochs

FAST = {"identifier_epochs": 1, "epochs": 1, "examples": 0}


@pytest.fixture(scope="module")
def trained(faces):
    """Splits and a task model trained once for the module (each test copies it)."""
    splits = make_splits(faces, "top", ForgetRequest(kind="pattern", column="mouth"), seed=0)
    torch.manual_seed(0)
    model = build_model("smallcnn", ModelSpec(3, 16, splits.task.out_dim))
    train_epochs(model, splits.loader("train", 32, True, 0), splits.task, 1, 2e-3, torch.device("cpu"))
    return splits, model


def run_pattern(trained, workdir, seed=0, splits=None, **params):
    """Run pattern_unlearning on a copy of the trained model; returns the artifacts and progress stages."""
    own, model = trained
    splits = own if splits is None else splits
    stages = []
    ctx = Context(model=copy.deepcopy(model), splits=splits, device=torch.device("cpu"), model_name="smallcnn",
                  train=TrainSettings(1, 2e-3, 32), workdir=workdir, seed=seed,
                  progress=lambda step, total, *, stage="", **m: stages.append(stage), run_folder=stored_run_folder)
    method = METHODS.get("pattern_unlearning")(build_params(METHODS.get("pattern_unlearning").Params,
                                                            {**FAST, **params}))
    method.check(ctx)
    method.unlearn(ctx)
    return ctx.artifacts, stages


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    """A stored run whose folder holds the identifier of a region-chosen pattern_unlearning."""
    home = tmp_path_factory.mktemp("home")
    store = RunStore(home / "runs.db")
    run_id = store.create({"method": {"name": "pattern_unlearning"}}, "saver")
    art, _ = run_pattern(trained, store.run_dir(run_id), region="mouth")
    return home, store, run_id, art


@pytest.fixture
def home_of(saved, monkeypatch):
    monkeypatch.setenv("UNLEARN_HOME", str(saved[0]))
    return saved


def test_reusing_a_saved_identifier_gives_the_same_groups(home_of, trained, tmp_path):
    _, store, run_id, first = home_of
    assert (store.runs_root / run_id / "identifier.pt").exists()
    group = (first["pattern_group"] + 1) % first["pattern_k"]
    again, stages = run_pattern(trained, tmp_path, group=group, identifier_run=run_id)
    assert "identifier" not in stages  # nothing trained
    assert again["pattern_k"] == first["pattern_k"]
    assert np.array_equal(again["identifier_groups"], first["identifier_groups"])
    assert again["filter_groups"]["overlap"] == first["filter_groups"]["overlap"]
    a, b = first["identifier_model"].state_dict(), again["identifier_model"].state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert again["identifier_from"] == run_id and again["pattern_group"] == group


def test_a_missing_identifier_run_is_named(home_of, trained, tmp_path):
    _, store, _, _ = home_of
    with pytest.raises(IdentifierNotFound, match=r"no run 'nope'.*leave identifier_run empty"):
        run_pattern(trained, tmp_path, group=0, identifier_run="nope")
    other = store.create({"method": {"name": "finetune"}}, "not a pattern run")
    with pytest.raises(IdentifierNotFound, match=rf"run '{other}' has no saved identifier.*Filter groups page"):
        run_pattern(trained, tmp_path, group=0, identifier_run=other)


def test_a_saved_identifier_of_another_architecture_is_refused(home_of, trained):
    _, store, run_id, _ = home_of
    wider = build_model("smallcnn", ModelSpec(3, 16, 3))  # another head: 3 outputs instead of 2
    with pytest.raises(IdentifierNotFound, match=rf"run '{run_id}'.*does not fit.*same dataset, model and task"):
        load_identifier(wider, "smallcnn", store.runs_root / run_id, f"run {run_id!r}")
    with pytest.raises(IdentifierNotFound, match="is a 'smallcnn' model"):
        load_identifier(wider, "resnet18", store.runs_root / run_id, f"run {run_id!r}")


def test_a_group_beyond_the_saved_k_is_refused_before_running(home_of, trained, tmp_path):
    _, _, run_id, first = home_of
    with pytest.raises(ValueError, match=rf"has K = {first['pattern_k']} groups"):
        run_pattern(trained, tmp_path, group=first["pattern_k"], identifier_run=run_id)


def test_quality_check_is_measured_on_held_out_images(home_of, trained):
    splits, _ = trained
    _, store, run_id, first = home_of
    check = first["pattern_check"]
    assert check["measured_on"] == "unseen" and check["n_images"] == min(512, len(splits.unseen))
    assert not set(selection_rows(splits).tolist()) & set(splits.unseen.tolist())  # chosen elsewhere
    ident = load_identifier(copy.deepcopy(trained[1]), "smallcnn", store.runs_root / run_id, "saver")
    assert choose_group(ident, splits, "mouth", torch.device("cpu"), selection_rows(splits)) == first["pattern_group"]
    again = held_out_overlap(ident, splits, "mouth", first["pattern_group"], torch.device("cpu"))
    assert again["chosen"] == pytest.approx(check["chosen"])
    others = [v for g, v in check["shares"].items() if int(g) != first["pattern_group"]]
    assert check["other_mean"] == pytest.approx(float(np.mean(others)))
    assert check["ratio"] == pytest.approx(check["chosen"] / check["other_mean"])


def test_a_saved_identifier_of_another_scenario_is_refused_naming_what_differs(home_of, trained, tmp_path, faces):
    from tests.feature.conftest import toy_faces

    _, store, run_id, _ = home_of
    saved = json.loads((store.runs_root / run_id / "identifier.json").read_text())["fingerprint"]
    assert saved["dataset"] == "toyfaces" and saved["task"] == ["top"] and saved["model"] == "smallcnn"
    assert saved["seed"] == 0
    with pytest.raises(IdentifierNotFound, match=r"another scenario \(seed: 0 there, 1 here\);"):
        run_pattern(trained, tmp_path, seed=1, group=0, identifier_run=run_id)
    eyes = make_splits(faces, "eyes", ForgetRequest(kind="pattern", column="mouth"), seed=0)  # same shapes
    with pytest.raises(IdentifierNotFound, match=r"task: \['top'\] there, \['eyes'\] here"):
        run_pattern(trained, tmp_path, splits=eyes, group=0, identifier_run=run_id)
    other = make_splits(toy_faces(seed=1), "top", ForgetRequest(kind="pattern", column="mouth"), seed=0)
    with pytest.raises(IdentifierNotFound, match=r"\(data \(dataset options.*\) differs\)"):
        run_pattern(trained, tmp_path, splits=other, group=0, identifier_run=run_id)


def test_an_identifier_saved_without_a_fingerprint_is_refused(home_of, trained, tmp_path):
    _, store, run_id, _ = home_of
    copy_id = store.create({"method": {"name": "pattern_unlearning"}}, "old save")
    src, dst = store.runs_root / run_id, store.run_dir(copy_id)
    meta = json.loads((src / "identifier.json").read_text())
    meta.pop("fingerprint")
    (dst / "identifier.json").write_text(json.dumps(meta))
    shutil.copy(src / "identifier.pt", dst / "identifier.pt")
    with pytest.raises(IdentifierNotFound, match="saved without a record of what it was trained on"):
        run_pattern(trained, tmp_path, group=0, identifier_run=copy_id)


def test_ranking_chooses_the_group_without_any_mask(trained, tmp_path):
    """choose_by=ranking reads no annotation: on the same data with every mask removed it erases the
    explorer's top-ranked group, the same one it picks when the masks are there."""
    import dataclasses

    splits, _ = trained
    bare = dataclasses.replace(splits, table=dataclasses.replace(splits.table, masks={}),
                               request=ForgetRequest(kind="pattern", fraction=0.5))
    art, _ = run_pattern(trained, tmp_path / "bare", splits=bare, choose_by="ranking")
    assert art["pattern_chosen_by"] == "ranking" and "pattern_check" not in art
    assert art["pattern_group"] == art["pattern_ranking"][0]["group"]
    scores = [r["score"] for r in art["pattern_ranking"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == art["pattern_k"]
    with_masks, _ = run_pattern(trained, tmp_path / "masks", choose_by="ranking")
    assert with_masks["pattern_group"] == art["pattern_group"]
    assert with_masks["pattern_ranking"] == art["pattern_ranking"]


def test_rank_groups_puts_a_spot_that_comes_and_goes_above_a_uniform_group(faces):
    """A planted identifier: filter 0 reads the blue mouth bar (wide when open, short when closed),
    filter 1 the green face everywhere; the bar's group must rank first."""
    from core.methods.pattern.filter_groups import Eigengap
    from core.methods.pattern.explorer import rank_groups
    from core.methods.pattern.identifier import Identifier

    splits = make_splits(faces, "top", ForgetRequest(kind="pattern", column="mouth"), seed=0)
    conv = torch.nn.Conv2d(3, 2, 1, bias=False)
    with torch.no_grad():
        conv.weight.zero_()
        conv.weight[0, 2] = 1.0  # blue: the mouth bar
        conv.weight[1, 1] = 1.0  # green: the whole face
    gap = Eigengap(np.zeros(3), np.zeros(2), [2], 2)
    ident = Identifier(torch.nn.Sequential(conv), "0", np.array([0, 1]), gap, gap)
    ranking = rank_groups(ident, splits, selection_rows(splits), torch.device("cpu"))
    assert [r["group"] for r in ranking] == [0, 1]
    bar, face = ranking
    assert bar["selectivity"] > face["selectivity"] and bar["concentration"] > face["concentration"]
