"""Scenario validation: every bad field is named with what is allowed."""

from __future__ import annotations

import json

import pytest

from core.config import ConfigError, default_scenario, load_scenario, scenario_from_dict


def test_default_scenario_is_valid_and_round_trips():
    sc = default_scenario()
    assert scenario_from_dict(sc.to_dict()).to_dict() == sc.to_dict()


@pytest.mark.parametrize("patch, message", [
    ({"bogus": 1}, "unknown key(s) bogus; allowed: dataset"),
    ({"dataset": {"name": "imagenet"}}, "dataset.name: unknown dataset 'imagenet'; allowed:"),
    ({"dataset": {"name": "synthfaces", "options": {"colour": 1}}}, "dataset.options: unknown key(s) colour"),
    ({"model": "vit"}, "model: unknown model 'vit'; allowed:"),
    ({"method": {"name": "magic"}}, "method.name: unknown method 'magic'; allowed:"),
    ({"method": {"name": "finetune", "params": {"epochs": 0}}}, "method.params.epochs: 0 is below the minimum 1"),
    ({"method": {"name": "finetune", "params": {"epochs": "many"}}}, "method.params.epochs: 'many' is not a valid int"),
    ({"method": {"name": "finetune", "params": {"momentum": 0.9}}}, "method.params: unknown key(s) momentum; allowed: epochs, lr"),
    ({"forget": {"kind": "everything"}}, "forget.kind: unknown forget kind 'everything'; allowed:"),
    ({"train": {"epochs": 0}}, "train.epochs: 0 is below the minimum 1"),
    ({"split": {"test_fraction": 0.9}}, "split.test_fraction: 0.9 is above the maximum 0.5"),
    ({"evaluation": {"nomus_lambda": 1.5}}, "evaluation.nomus_lambda: 1.5 is above the maximum 1"),
    ({"device": "tpu"}, "device: 'tpu' is not allowed"),
    ({"task": []}, "task: [] is not a column name"),
])
def test_bad_fields_are_named(patch, message):
    raw = default_scenario().to_dict()
    raw.update(patch)
    with pytest.raises(ConfigError) as err:
        scenario_from_dict(raw)
    assert message in str(err.value)


def test_yaml_and_json_files(tmp_path):
    (tmp_path / "s.yaml").write_text("task: Smiling\nmethod:\n  name: finetune\n  params: {epochs: 2}\n")
    assert load_scenario(tmp_path / "s.yaml").method.params == {"epochs": 2}
    (tmp_path / "s.json").write_text(json.dumps({"task": "Male"}))
    assert load_scenario(tmp_path / "s.json").task == "Male"
    (tmp_path / "bad.yaml").write_text("task: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_scenario(tmp_path / "bad.yaml")
    with pytest.raises(ConfigError, match="no such scenario file"):
        load_scenario(tmp_path / "missing.yaml")


def test_unknown_task_column_is_named_when_data_loads(toy_table):
    from core.data.forget import ForgetRequest
    from core.data.source import DataError
    from core.data.splits import make_splits

    with pytest.raises(DataError, match="task: dataset 'toy' has no column 'Smiling'; allowed: y, z"):
        make_splits(toy_table, "Smiling", ForgetRequest(kind="identities", count=2))
