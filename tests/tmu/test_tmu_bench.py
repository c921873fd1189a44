"""``unlearn bench subset`` smoke test on tiny settings: digits at 8 px, one class, one seed."""

from __future__ import annotations

import json

import pytest

from core.bench import BENCHES, run_bench
from core.bench.subset import chosen_classes, split_options
from core.bench.validation import BENCH_CANDIDATES
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
    q = doc["quality"]["digits"]
    assert q["checked"] and set(q["baseline_gold_gaps"]) == {"finetune", "neggrad"}
    assert q["met"] == (q["smallest_gap"] and q["keeps_accuracy"])
    md = out.with_suffix(".md").read_text()
    for heading in ("## digits", "Table 1", "Table 3", "Table 4", "| tmu |", "Quality goal"):
        assert heading in md
    assert doc["seeds"] == {"validation": [1000], "report": [0]}
    assert {r["seed"] for r in doc["runs"]} == {0}  # the validation seed is never reported
    tried = doc["validation"]["digits"]
    assert [t["params"] for t in tried] == BENCH_CANDIDATES["subset"]["tmu"]
    assert doc["chosen"]["digits"] == {"tmu": max(tried, key=lambda t: t["score"])["params"]}
    assert "validation seeds [1000]" in md and "held-out seeds [0]" in md
    assert "- tmu: decision=count" in md and "- neggrad:" in md  # departures named in the notes


def test_goal_score_prefers_keeping_accuracy_then_the_smaller_gap():
    from core.bench.subset import goal_score

    ref = [{"test_acc": 0.90}]
    keeps, small_gap_but_drops = [{"gold_gap": 0.10, "test_acc": 0.895}], [{"gold_gap": 0.01, "test_acc": 0.85}]
    assert goal_score("tmu", keeps, ref) == pytest.approx(-0.10)
    assert goal_score("tmu", keeps, ref) > goal_score("tmu", small_gap_but_drops, ref)
    assert goal_score("tmu", [{"gold_gap": 0.05, "test_acc": 0.895}], ref) > goal_score("tmu", keeps, ref)


def test_options_are_checked():
    o, per_method = split_options({"classes": "1,2", "tmu.twins": "2"})
    assert o.classes == "1,2" and per_method == {"tmu": {"twins": "2"}}
    assert chosen_classes("all", 3) == [0, 1, 2] and chosen_classes("2, 0", 3) == [2, 0]
    with pytest.raises(ValueError, match="classes 0..2"):
        chosen_classes("5", 3)
    with pytest.raises(ParamError, match="unknown key"):
        split_options({"clases": "1"})


def test_faces_forget_a_share_of_the_class_people_or_photos():
    from core.bench.subset import SubsetOptions, forget_section
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits
    from tests.tmu.toy import people_table

    table = people_table(n_id=60)
    people = forget_section(SubsetOptions(fraction=0.25), table, "y", 1, seed=0)
    assert people["kind"] == "identities"
    sp = make_splits(table, "y", ForgetRequest(**people), seed=0)
    in_class = table.identity[sp.train][table.columns["y"][sp.train] == 1].unique()
    assert len(people["identities"]) == round(0.25 * len(in_class))
    assert set(people["identities"]) <= set(in_class.tolist())
    assert (table.columns["y"][sp.forget] == 1).all()
    photos = forget_section(SubsetOptions(fraction=0.25, faces_unit="images"), table, "y", 1, seed=0)
    assert photos == {"kind": "class_subset", "column": "y", "value": 1, "fraction": 0.25}


def _run(method: str, seed: int, gap: float, acc: float) -> dict:
    return {"method": method, "seed": seed, "class": 0, "metrics": {"gold_gap": gap, "test_acc": acc}}


def test_quality_verdict_by_hand():
    from core.bench.subset_tables import quality

    runs = [_run("finetune", 0, 0.30, 0.90), _run("neggrad", 0, 0.20, 0.80), _run("tmu", 0, 0.10, 0.895),
            _run("finetune", 1, 0.30, 0.90), _run("neggrad", 1, 0.20, 0.80), _run("tmu", 1, 0.12, 0.895)]
    q = quality(runs, ["finetune", "neggrad"])
    assert q["met"] and q["tmu_gold_gap"] == pytest.approx(0.11)
    q = quality([*runs, _run("tmu", 2, 0.5, 0.895)], ["finetune", "neggrad"])  # mean gap now 0.24 > NegGrad's
    assert not q["smallest_gap"] and not q["met"]
    q = quality([r if r["method"] != "tmu" else _run("tmu", r["seed"], 0.1, 0.85) for r in runs], ["finetune"])
    assert q["smallest_gap"] and not q["keeps_accuracy"]  # 5 points below Fine-tuning
    assert quality(runs[:2], ["finetune"]) == {"checked": False, "why": "no TMU runs"}
