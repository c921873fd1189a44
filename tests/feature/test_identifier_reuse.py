"""A pattern_unlearning run saves its identifier; a later run reuses it by run id (same groups, no
training), with clear errors when the run or its files are missing or do not fit; and the
no-annotation quality check is measured on held-out images."""

import copy

import numpy as np
import pytest
import torch

import core.methods  # noqa: F401  (registers the methods and the "pattern" forget kind)
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.explain.group_explorer import choose_group, held_out_overlap, selection_rows
from core.explain.identifier import IdentifierNotFound, load_identifier
from core.methods import METHODS, Context, TrainSettings
from core.models import ModelSpec, build_model
from core.params import build_params
from core.runs import RunStore
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


def run_pattern(trained, workdir, **params):
    """Run pattern_unlearning on a copy of the trained model; returns the artifacts and progress stages."""
    splits, model = trained
    stages = []
    ctx = Context(model=copy.deepcopy(model), splits=splits, device=torch.device("cpu"), model_name="smallcnn",
                  train=TrainSettings(1, 2e-3, 32), workdir=workdir,
                  progress=lambda step, total, *, stage="", **m: stages.append(stage))
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
