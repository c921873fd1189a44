"""``unlearn bench subset`` smoke test on tiny settings: digits at 8 px, one class, one seed."""

from __future__ import annotations

import json

import pytest

from core.bench import BENCHES, run_bench
from core.bench.subset import chosen_classes, split_options
from core.params import ParamError


def test_subset_bench_writes_tables_and_json(tmp_path, capsys):
    out = tmp_path / "subset.json"
    options = {"datasets": "digits,nosuchdata", "classes": "3", "digits_size": "8", "epochs": "3",
               "fraction": "0.2", "methods": "finetune,neggrad,tmu", "finetune.epochs": "1", "tmu.epochs": "1",
               "tmu.twin_epochs": "1", "tmu.af_steps": "2", "tmu.cf_epochs": "1", "tmu.mlp_epochs": "20",
               "device": "cpu"}
    assert "subset" in BENCHES
    assert run_bench("subset", seeds=1, json_path=str(out), options=options) == 0
    doc = json.loads(out.read_text())
    methods = [r["method"] for r in doc["runs"]]
    assert methods[0] == "gold" and "finetune" in methods and "tmu" in methods
    assert any("nosuchdata" in n for n in doc["notes"])
    if "neggrad" not in methods:
        assert any("'neggrad' is not registered" in n for n in doc["notes"])
    tmu = next(r for r in doc["runs"] if r["method"] == "tmu")
    assert {"test_acc", "forget_acc", "gold_gap", "activation_distance"} <= set(tmu["metrics"])
    assert [a["features"] for a in tmu["ablation"]] == ["NF+AF+CF", "NF", "AF", "CF"]
    md = out.with_suffix(".md").read_text()
    for heading in ("## digits", "Table 1", "Table 3", "Table 4", "| tmu |"):
        assert heading in md


def test_options_are_checked():
    o, per_method = split_options({"classes": "1,2", "tmu.twins": "2"})
    assert o.classes == "1,2" and per_method == {"tmu": {"twins": "2"}}
    assert chosen_classes("all", 3) == [0, 1, 2] and chosen_classes("2, 0", 3) == [2, 0]
    with pytest.raises(ValueError, match="classes 0..2"):
        chosen_classes("5", 3)
    with pytest.raises(ParamError, match="unknown key"):
        split_options({"clases": "1"})
