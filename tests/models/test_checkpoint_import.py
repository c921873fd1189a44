"""Bring your own model: a checkpoint of weights trained here gives the same metrics; wrong shapes, a
wrong architecture, a pickle that is not a state dict and bad paths are refused with named messages;
safetensors files and torchvision-named starting weights (``train.init``) load."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest
import torch
from torchvision.models import resnet18 as tv_resnet18

from core.config import ConfigError, scenario_from_dict
from core.models import ModelSpec, build_model
from core.models.checkpoint_import import CheckpointError, load_checkpoint_into, load_init, read_state_dict
from core.pipeline import prepare, run_scenario

TIMES = ("seconds", "speedup", "audit_seconds")


def _table(doc: dict) -> dict:
    """Every metric and interval but the times, NaN written as "nan" (NaN != NaN would fail any comparison)."""
    def same(v):
        return "nan" if isinstance(v, float) and v != v else v

    return {r["model"]: ({k: same(v) for k, v in r["metrics"].items() if k not in TIMES}, r["metric_ci"])
            for r in doc["results"]}


def test_a_checkpoint_of_weights_trained_here_gives_the_same_metrics(tiny_scenario, tmp_path):
    cache = tmp_path / "cache"
    trained = run_scenario(scenario_from_dict(tiny_scenario), cache=cache)
    ckpt = tmp_path / "mine.pt"
    shutil.copy(next((cache / "models").glob("original-*.pt")), ckpt)
    tiny_scenario["original"] = {"checkpoint": str(ckpt)}
    again = run_scenario(scenario_from_dict(tiny_scenario), cache=cache)
    assert _table(again) == _table(trained)
    assert again["sources"]["original"] == {"source": "checkpoint", "sha256": trained["checkpoints"]["original"],
                                            "path": str(ckpt)}
    original = next(r for r in again["results"] if r["model"] == "original")["metrics"]
    assert original["seconds"] != original["seconds"]  # NaN: not trained here
    assert any("not trained here" in n for n in again["notes"])


def test_gold_checkpoint_without_time_makes_the_speedup_unknown(tiny_scenario, tmp_path):
    spec = ModelSpec(3, 32, 2)
    path = tmp_path / "gold.pt"
    torch.save(build_model("smallcnn", spec).state_dict(), path)
    tiny_scenario["gold"] = {"checkpoint": str(path)}
    prep = prepare(scenario_from_dict(tiny_scenario), cache=tmp_path / "cache")
    assert prep.gold.source == "checkpoint" and prep.gold.seconds != prep.gold.seconds
    from core.pipeline import evaluate_model

    assert evaluate_model(prep, prep.original.model, 1.0)["speedup"] != 1.0  # NaN


def test_wrong_shapes_name_the_first_bad_key(tiny_scenario, tmp_path):
    path = tmp_path / "five.pt"
    torch.save(build_model("smallcnn", ModelSpec(3, 32, 5)).state_dict(), path)  # 5 classes; the task has 2
    tiny_scenario["original"] = {"checkpoint": str(path)}
    with pytest.raises(CheckpointError, match=r"original.checkpoint: key 'fc.weight' has shape \[5, 128\].*"
                                              r"expects \[2, 128\].*predicts 5 classes"):
        prepare(scenario_from_dict(tiny_scenario), cache=tmp_path / "cache")


def test_wrong_architecture_is_named(tmp_path):
    path = tmp_path / "resnet.pt"
    torch.save(build_model("resnet18", ModelSpec(3, 32, 2)).state_dict(), path)
    with pytest.raises(CheckpointError, match=r"not a state dict of model: smallcnn \(missing \d+ key\(s\), first "
                                              r"'bottom.0.0.weight'; \d+ unexpected key\(s\), first 'bottom.0.weight'"):
        load_checkpoint_into(build_model("smallcnn", ModelSpec(3, 32, 2)), path, model_name="smallcnn")


@dataclass
class Pickled:
    weights: list


def test_a_pickle_that_is_not_a_state_dict_is_refused(tmp_path):
    path = tmp_path / "object.pt"
    torch.save(Pickled([1.0]), path)
    with pytest.raises(CheckpointError, match=r"not a plain state dict: torch.load\(weights_only=True\) refused.*"
                                              r"torch.save\(model.state_dict\(\), PATH\)"):
        read_state_dict(path)
    torch.save({"epochs": 3}, tmp_path / "dict.pt")  # loads, but holds no tensors
    with pytest.raises(CheckpointError, match="not a state dict"):
        read_state_dict(tmp_path / "dict.pt")


def test_safetensors_and_wrapped_files_load_the_same_weights(tmp_path):
    from safetensors.torch import save_file

    spec = ModelSpec(3, 32, 2)
    source = build_model("smallcnn", spec)
    save_file({k: v.contiguous() for k, v in source.state_dict().items()}, str(tmp_path / "m.safetensors"))
    torch.save({"state_dict": {f"module.{k}": v for k, v in source.state_dict().items()}}, tmp_path / "wrapped.pth")
    for name in ("m.safetensors", "wrapped.pth"):
        torch.manual_seed(1)
        model = load_checkpoint_into(build_model("smallcnn", spec), tmp_path / name).model
        assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), source.state_dict().values()))
    (tmp_path / "bad.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(CheckpointError, match="not a readable safetensors file"):
        read_state_dict(tmp_path / "bad.safetensors")


def test_paths_are_checked_in_the_scenario(tiny_scenario, tmp_path):
    (tmp_path / "weights.bin").write_bytes(b"")
    for section, value, message in (("original", {"checkpoint": str(tmp_path / "none.pt")}, "no such file"),
                                    ("gold", {"checkpoint": str(tmp_path / "weights.bin")}, "not a checkpoint file"),
                                    ("train", {"init": str(tmp_path / "none.pth")}, "train.init: .*no such file")):
        raw = {**tiny_scenario, section: {**tiny_scenario.get(section, {}), **value}}
        with pytest.raises(ConfigError, match=message):
            scenario_from_dict(raw)


def test_torchvision_resnet18_weights_start_training(tmp_path):
    tv = tv_resnet18(weights=None)  # the layout of torchvision's resnet18-f37072fd.pth (random weights here)
    path = tmp_path / "resnet18-imagenet.pth"
    torch.save(tv.state_dict(), path)
    model = build_model("resnet18", ModelSpec(3, 32, 2))
    imported = load_init(model, path, model_name="resnet18")
    assert imported.skipped == ("bottom.0.weight", "fc.weight", "fc.bias")  # 7x7 ImageNet stem, 1000 classes
    assert torch.equal(model.top[1][0].conv1.weight, tv.layer4[0].conv1.weight)
    assert torch.equal(model.bottom[1].running_var, tv.bn1.running_var)
    state = tv.state_dict()
    state["layer2.0.conv1.weight"] = state["layer2.0.conv1.weight"][:, :32]
    torch.save(state, path)
    with pytest.raises(CheckpointError, match="key 'bottom.4.0.conv1.weight' has shape"):
        load_init(build_model("resnet18", ModelSpec(3, 32, 2)), path)


def test_inspect_checkpoint_reports_what_was_loaded(tmp_path):
    from core.data import load_dataset
    from core.models.checkpoint_import import inspect_checkpoint, parameter_count
    from core.training import file_sha256

    table = load_dataset("synthfaces", {"n_identities": 16, "images_per_identity": 8, "size": 32}, tmp_path)
    model = build_model("smallcnn", ModelSpec(3, 32, 2))
    path = tmp_path / "m.pt"
    torch.save(model.state_dict(), path)
    info = inspect_checkpoint(path, table, "Eyeglasses", "smallcnn")
    assert info["sha256"] == file_sha256(path) and info["parameters"] == parameter_count(model)
    assert set(info["accuracy"]) == {"train", "test", "unseen"} and all(0 <= a <= 1 for a in info["accuracy"].values())
    assert sum(info["images"].values()) == len(table)
    with pytest.raises(CheckpointError, match="fc.weight"):
        inspect_checkpoint(path, table, "age_group", "smallcnn")  # another task: other classes


def test_train_init_is_recorded_and_keys_the_cache(tiny_scenario, tmp_path):
    from core.pipeline.model_cache import reference_key

    path = tmp_path / "start.pt"
    torch.save(build_model("smallcnn", ModelSpec(3, 32, 7)).state_dict(), path)  # another task: fc is skipped
    plain = scenario_from_dict(tiny_scenario)
    tiny_scenario["train"]["init"] = str(path)
    sc = scenario_from_dict(tiny_scenario)
    prep = prepare(sc, cache=tmp_path / "cache")
    assert prep.extras["init"]["skipped"] == ["fc.weight", "fc.bias"] and len(prep.extras["init"]["sha256"]) == 64
    index = prep.splits.index("train")
    assert reference_key(sc, prep.splits, index) != reference_key(plain, prep.splits, index)
    assert prepare(sc, cache=tmp_path / "cache").original.source == "cache"  # the same init finds its models
