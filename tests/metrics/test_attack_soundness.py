"""The membership attack means what it says for every forget kind: it runs (and says how little it can
tell) on a handful of samples, compares a class request with unseen images of the same class, refuses
to show a number where no such images exist, and gives the gold model's value as the target."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.metrics import Evaluation, evaluate
from core.metrics.mia import attack, attack_accuracy, per_sample_loss
from core.metrics.nonmembers import matched_unseen
from tests.methods.toy_identity import toy_table, trained_model

CPU = torch.device("cpu")


class Fixed(torch.nn.Module):
    """A 'model' whose logits are planted per split in the Evaluation's cache."""


def planted(splits, logits_by_split, gold_logits=None) -> Evaluation:
    ev = Evaluation(Fixed(), splits, CPU, gold=Fixed() if gold_logits else None)
    for split, logits in logits_by_split.items():
        ev._logits[(id(ev.model), split)] = logits
    for split, logits in (gold_logits or {}).items():
        ev._logits[(id(ev.gold), split)] = logits
    return ev


def confident(y: torch.Tensor, margin: float) -> torch.Tensor:
    out = torch.zeros(len(y), 3)
    out[torch.arange(len(y)), y[:, 0]] = margin
    return out


def test_three_samples_a_side_are_attacked_leave_one_pair_out_with_a_wide_interval():
    rng = np.random.default_rng(0)
    low, high, same = rng.uniform(0, 0.1, 3), rng.uniform(5, 6, 40), np.full(3, 0.7)
    r = attack(low, high)
    assert r.accuracy == 1.0 and r.n == 3  # separable: every held-out pair is told apart
    # no signal: each fold trains on a balanced 2 + 2, so a held-out pair is half right. Plain
    # leave-one-out would train on 2 + 3 and always predict the held-out sample's opposite: 0.0
    assert attack(same, same).accuracy == 0.5
    assert r.low < 0.65 and attack(same, same).low < 0.2 and attack(same, same).high > 0.8  # 6 samples tell little
    assert math.isnan(attack_accuracy(low[:1], high))  # one member: nothing to train and test on


def test_a_run_forgetting_three_explicit_samples_completes(tiny_scenario, tmp_path):
    from core.config import scenario_from_dict
    from core.pipeline import prepare, run_scenario

    rows = prepare(scenario_from_dict(tiny_scenario), cache=tmp_path).splits.retain[:3].tolist()
    tiny_scenario["forget"] = {"kind": "samples", "samples": [str(r) for r in rows]}
    events = []
    doc = run_scenario(scenario_from_dict(tiny_scenario), cache=tmp_path,
                       progress=lambda step, total, stage="", **m: events.append((stage, m)))
    assert doc["sizes"]["forget"] == 3
    for row in doc["results"]:
        m = row["metrics"]
        assert m["mia_n"] == 3 and 0.0 <= m["mia_acc"] <= 1.0 and m["mia_ci_high"] - m["mia_ci_low"] > 0.5
        assert math.isfinite(m["nomus"]) and "top2_acc" not in m  # Eyeglasses is binary: no trivial top-2
    gold = next(r["metrics"] for r in doc["results"] if r["model"] == "gold")
    assert gold["mia_gold_gap"] == 0.0
    # the live chart's gold line is reported once, before the method's first epoch
    first = next(i for i, (stage, m) in enumerate(events) if "gold_mia_acc" in m)
    assert events[first][0] == "unlearn" and not any("test_acc" in m for _, m in events[:first])


@pytest.fixture(scope="module")
def class_request():
    """Forget every training image of class 0; the gold model is really trained without it."""
    splits = make_splits(toy_table(), "y", ForgetRequest(kind="class", column="y", value=0), seed=0)
    return splits, trained_model(splits, epochs=2, split="retain")


def test_class_request_compares_with_unseen_images_of_the_same_class(class_request):
    splits, gold = class_request
    nonmembers = matched_unseen(splits)
    assert 10 <= nonmembers.count < len(splits.unseen)
    assert set(splits.table.columns["y"][nonmembers.index(splits)].tolist()) == {0}
    ev = Evaluation(gold, splits, CPU)
    r = evaluate(ev, ["accuracy", "mia", "nomus", "mia_roc"])
    # all of unseen: the gold model never saw class 0, so a high loss gives the class away (the ceiling
    # is about (1 + 2/3) / 2 = 0.83, as a third of unseen is class 0 with the same high loss)
    confounded = attack_accuracy(per_sample_loss(ev, "forget"), per_sample_loss(ev, "unseen"))
    assert confounded > 0.75
    assert abs(r["mia_acc"] - 0.5) < 0.15 and abs(r["mia_auc"] - 0.5) < 0.2  # matched: nothing to find
    assert r["mia_n"] == nonmembers.count and ev.extras["mia_roc"]["nonmembers"] == nonmembers.count
    assert ev.extras["nonmembers"]["rule"].startswith("unseen images with y = a")


def test_every_forget_kind_has_a_non_member_rule():
    import core.methods  # noqa: F401  (methods register kinds of their own: pattern)
    from core.data.forget import FORGET_KINDS
    from core.metrics.nonmembers import NONMEMBER_RULES

    assert set(FORGET_KINDS.names()) <= set(NONMEMBER_RULES.names())


def test_identities_and_samples_keep_all_of_unseen():
    splits = make_splits(toy_table(), "y", ForgetRequest(kind="identities", count=2), seed=0)
    assert torch.equal(matched_unseen(splits).index(splits), splits.unseen)


def test_no_matched_non_members_means_no_number_and_a_reason():
    splits = make_splits(toy_table(), "y", ForgetRequest(kind="attribute", column="y", value=0), seed=0)
    unseen_y = splits.table.columns["y"][splits.unseen]
    splits = dataclasses.replace(splits, unseen=splits.unseen[unseen_y != 0])  # no unseen image of class 0
    fy, ty = splits.targets(splits.forget), splits.targets(splits.test)
    ry = splits.targets(splits.retain)
    ev = planted(splits, {"forget": confident(fy, 8.0), "test": confident(ty, 8.0), "retain": confident(ry, 8.0)})
    r = evaluate(ev, ["accuracy", "mia", "nomus", "mia_roc"])
    assert all(math.isnan(r[k]) for k in ("mia_acc", "forgetting_score", "nomus", "mia_auc"))
    assert "no unseen image has y = a" in ev.extras["mia_unavailable"]
    assert ev.extras["nonmembers"]["count"] == 0 and ev.extras["mia_roc"] == {}


def test_gap_to_gold_is_measured_on_the_same_non_members():
    splits = make_splits(toy_table(), "y", ForgetRequest(kind="class_subset", column="y", value=1, fraction=0.5), seed=0)
    fy, uy = splits.targets(splits.forget), splits.targets(matched_unseen(splits).index(splits))
    assert set(uy[:, 0].tolist()) == {1}  # a subset of class 1 is compared with unseen class-1 images
    # the model under test remembers the forget set (tiny loss); the gold model does not (uniform)
    ev = planted(splits, {"forget": confident(fy, 8.0), "nonmember": torch.zeros(len(uy), 3)},
                 gold_logits={"forget": torch.zeros(len(fy), 3), "nonmember": torch.zeros(len(uy), 3)})
    r = evaluate(ev, ["mia", "mia_gold"])
    assert r["mia_acc"] == 1.0 and r["mia_gold_gap"] == pytest.approx(0.5)


def test_top2_is_absent_on_a_binary_task_and_present_on_three_classes():
    table = toy_table()
    binary = make_splits(table, "z", ForgetRequest(kind="identities", count=2), seed=0)
    three = make_splits(table, "y", ForgetRequest(kind="identities", count=2), seed=0)
    two_logits = torch.zeros(len(binary.test), 2)
    assert "top2_acc" not in evaluate(planted(binary, {"test": two_logits}), ["top2"])
    assert "top2_acc" in evaluate(planted(three, {"test": torch.zeros(len(three.test), 3)}), ["top2"])


def test_the_report_says_why_the_attack_has_no_number():
    from core.report.document import _metrics

    reason = "no unseen image has y = a <b>"
    rows = [{"model": m, "metrics": {"mia_acc": float("nan")},
             "extras": {"mia_unavailable": reason, "nonmembers": {"rule": "unseen images with y = a", "count": 0}}}
            for m in ("original", "gold")]
    html = _metrics(rows)
    assert html.count("Membership attack not shown: no unseen image has y = a &lt;b&gt;") == 1  # once, escaped
    assert "unseen images with y = a (0 images)" in html
