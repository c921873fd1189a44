"""The verdict on hand-made results documents, one per label."""

from __future__ import annotations

from core.verdict import FORGOTTEN, MIN_UNITS, NOT_FORGOTTEN, PARTLY, TOO_FEW, verdict, verdict_line

GOLD = {"forget_acc": [0.70, 0.80], "mia_acc": [0.45, 0.55]}
ORIGINAL = {"forget_acc": [0.95, 1.00], "mia_acc": [0.70, 0.80]}


def _doc(unlearned: dict, kind: str = "identities", count: int = 10, gold: dict = GOLD,
         original: dict = ORIGINAL) -> dict:
    return {"scenario": {"forget": {"kind": kind}}, "forget_units": {"unit": "person", "count": count},
            "results": [{"model": "original", "metric_ci": original}, {"model": "gold", "metric_ci": gold},
                        {"model": "scrub", "metric_ci": unlearned}]}


def test_like_gold():
    v = verdict(_doc({"forget_acc": [0.72, 0.82], "mia_acc": [0.48, 0.58]}))
    assert v["label"] == FORGOTTEN and "forget_acc" in v["reason"] and "mia_acc" in v["reason"]


def test_not_forgotten():
    assert verdict(_doc({"forget_acc": [0.96, 1.0], "mia_acc": [0.72, 0.79]}))["label"] == NOT_FORGOTTEN


def test_partly_when_metrics_disagree_or_sit_between():
    assert verdict(_doc({"forget_acc": [0.72, 0.82], "mia_acc": [0.72, 0.79]}))["label"] == PARTLY
    assert verdict(_doc({"forget_acc": [0.85, 0.90], "mia_acc": [0.60, 0.65]}))["label"] == PARTLY  # between
    assert verdict(_doc({"forget_acc": [0.75, 0.97], "mia_acc": [0.50, 0.75]}))["label"] == PARTLY  # overlaps both


def test_too_few_units():
    v = verdict(_doc({"forget_acc": [0.72, 0.82], "mia_acc": [0.48, 0.58]}, count=MIN_UNITS - 2))
    assert v["label"] == TOO_FEW and "3 people" in v["reason"]


def test_too_few_when_gold_and_original_overlap():
    wide = {"forget_acc": [0.5, 1.0], "mia_acc": [0.3, 0.9]}
    v = verdict(_doc({"forget_acc": [0.72, 0.82], "mia_acc": [0.48, 0.58]}, gold=wide))
    assert v["label"] == TOO_FEW and "overlap" in v["reason"]


def test_only_separating_metrics_decide():
    gold = {"forget_acc": [0.70, 0.80], "mia_acc": [0.3, 0.9]}  # the attack cannot separate; accuracy can
    assert verdict(_doc({"forget_acc": [0.72, 0.78], "mia_acc": [0.8, 0.9]}, gold=gold))["label"] == FORGOTTEN


def test_kind_decides_the_carrying_metric():
    attr = _doc({"efficacy": [0.50, 0.55], "forget_acc": [0.96, 1.0]}, kind="attribute",
                gold={"efficacy": [0.48, 0.56]}, original={"efficacy": [0.85, 0.9]})
    assert verdict(attr)["label"] == FORGOTTEN  # forget_acc is not read for an attribute request
    subset = _doc({"gold_gap": [0.0, 0.04]}, kind="class_subset", gold={"gold_gap": [0.0, 0.0]},
                  original={"gold_gap": [0.3, 0.4]})
    assert verdict(subset)["label"] == FORGOTTEN
    subset["results"][2]["metric_ci"] = {"gold_gap": [0.28, 0.35]}
    assert verdict(subset)["label"] == NOT_FORGOTTEN


def test_missing_intervals_and_rows():
    assert verdict(_doc({"forget_acc": [float("nan"), float("nan")]}))["label"] == TOO_FEW
    assert verdict({"results": []})["label"] == TOO_FEW
    doc = _doc({"forget_acc": [0.72, 0.82], "mia_acc": [0.48, 0.58]})
    assert verdict_line(doc).startswith(f"verdict: {FORGOTTEN} (")


def test_unlearn_run_prints_the_stored_verdict(tiny_scenario, tmp_path, capsys):
    import json

    from core.cli.main import main

    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny_scenario))
    out = tmp_path / "doc.json"
    assert main(["run", str(path), "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    assert doc["forget_units"] == {"unit": "person", "count": 2}
    assert doc["verdict"] == verdict(doc) and doc["verdict"]["label"] == TOO_FEW  # two people cannot tell
    assert f"verdict: {TOO_FEW} (2 people forgotten" in capsys.readouterr().out
    assert all("forget_acc" in row["metric_ci"] for row in doc["results"])
