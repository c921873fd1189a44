"""SWEEP.yaml parsing and trial expansion: named errors, grid vs list, stable ids, base files."""

from __future__ import annotations

import pytest
import yaml

from core.sweep import SweepError, expand, load_sweep, sweep_from_dict


def spec(base, **kw):
    return sweep_from_dict({"base": base, "axes": {"seed": [0, 1]}, **kw})


@pytest.mark.parametrize("raw, words", [
    ({"axes": {"seed": [0]}}, "base and axes"),
    ({"base": {}, "axes": {"seed": [0]}, "colour": 1}, "unknown key(s) colour"),
    ({"base": {}, "axes": {}}, "non-empty mapping"),
    ({"base": {}, "axes": {"sed": [0]}}, "'sed' is not a scenario path"),
    ({"base": {}, "axes": {"seed": 3}}, "axes.seed"),
    ({"base": {}, "axes": {"seed": []}}, "axes.seed"),
    ({"base": {}, "axes": {"seed": [0]}, "mode": "zip"}, "mode: 'zip'"),
    ({"base": {}, "axes": {"seed": [0]}, "resources": {"gpus": 1}}, "unknown key(s) gpus"),
    ({"base": {}, "axes": {"seed": [0]}, "resources": {"num_cpus": -1}}, "resources.num_cpus"),
    ({"base": {}, "axes": {"seed": [0]}, "resources": {"num_cpus": 0}}, "both 0"),
    ({"base": {"modle": "x"}, "axes": {"seed": [0]}}, "base: scenario: unknown key(s) modle"),
    ({"base": 7, "axes": {"seed": [0]}}, "base: 7"),
    ({"base": {}, "axes": {"method.name": ["finetune", "nope"]}}, "trial 1"),
    ({"base": {}, "axes": {"seed": [0, 0]}}, "trials 0 and 1 are the same scenario"),
    ({"base": {}, "axes": {"seed": [0, 1], "method.name": ["finetune"]}, "mode": "list"}, "equal lengths"),
])
def test_bad_sweeps_are_named(raw, words):
    with pytest.raises(SweepError) as err:
        sweep_from_dict(raw)
    assert words in str(err.value)


def test_grid_is_every_combination_list_is_zipped():
    axes = {"method.name": ["finetune", "neggrad"], "seed": [0, 1, 2]}
    grid = expand(sweep_from_dict({"base": {}, "axes": axes}))
    assert [t.overrides for t in grid][:4] == [{"method.name": "finetune", "seed": 0}, {"method.name": "finetune", "seed": 1},
                                               {"method.name": "finetune", "seed": 2}, {"method.name": "neggrad", "seed": 0}]
    assert len(grid) == 6 and len({t.key for t in grid}) == 6
    assert grid[4].scenario["method"]["name"] == "neggrad" and grid[4].scenario["seed"] == 1
    listed = expand(sweep_from_dict({"base": {}, "axes": {"method.name": ["finetune", "neggrad"], "seed": [5, 7]},
                                     "mode": "list"}))
    assert [(t.scenario["method"]["name"], t.scenario["seed"]) for t in listed] == [("finetune", 5), ("neggrad", 7)]


def test_nested_paths_create_sections_and_keep_the_rest(tiny_base):
    trials = expand(sweep_from_dict({"base": tiny_base, "axes": {"method.params.epochs": [1, 2]}}))
    assert [t.scenario["method"]["params"]["epochs"] for t in trials] == [1, 2]
    assert all(t.scenario["dataset"]["options"]["n_identities"] == 12 for t in trials)


def test_id_is_stable_and_follows_the_trials(tiny_base):
    a, b = spec(tiny_base), spec(tiny_base, name="renamed", resources={"num_cpus": 2})
    assert a.id == b.id and a.id.startswith("sweep-")  # name and resources do not change which trials run
    assert sweep_from_dict({"base": tiny_base, "axes": {"seed": [0, 2]}}).id != a.id


def test_base_file_is_read_beside_the_sweep_file(tmp_path, tiny_base):
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(tiny_base))
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump({"base": "scenario.yaml", "axes": {"seed": [0, 1]},
                                                         "resources": {"num_cpus": 1}}))
    loaded = load_sweep(tmp_path / "sweep.yaml")
    assert loaded.base["dataset"]["options"]["n_identities"] == 12
    assert loaded.resources == {"num_cpus": 1.0, "num_gpus": 0.0}
    with pytest.raises(SweepError, match="no such sweep file"):
        load_sweep(tmp_path / "missing.yaml")
    (tmp_path / "bad.yaml").write_text("base: scenario.yaml\naxes: {seed: [0\n")
    with pytest.raises(SweepError, match="not valid YAML"):
        load_sweep(tmp_path / "bad.yaml")
