"""bench tuned: the goal check per tuned row and the table's rows, on hand-made numbers and a tiny run."""

from __future__ import annotations

from core.bench import BENCHES, BenchArgs
from core.bench.tuned import goal, markdown, mean_rows


def _rows(nomus: float, forget: float, share: float) -> list[dict]:
    gold = {"nomus": 0.60, "forget_acc": 0.70, "time_share": 1.0, "seconds": 10.0}
    tuned = {"nomus": nomus, "forget_acc": forget, "time_share": share, "seconds": share * 10.0}
    return [{"model": "gold", "metrics": gold}, {"model": "scrub (untuned)", "metrics": dict(tuned, forget_acc=1.0)},
            {"model": "scrub (tuned)", "metrics": tuned}]


def test_the_goal_needs_nomus_forget_accuracy_and_time_all_near_gold():
    assert goal(_rows(0.615, 0.68, 0.08))["scrub (tuned)"]["met"]
    assert goal(_rows(0.615, 0.68, 0.08)).keys() == {"scrub (tuned)"}  # untuned rows are shown, not judged
    missed = goal(_rows(0.57, 0.74, 0.12))["scrub (tuned)"]
    assert missed == {"nomus": False, "forget_acc": False, "time": False, "met": False}


def test_the_goal_counts_the_held_out_seeds_that_meet_it_alone():
    near, far = _rows(0.615, 0.68, 0.08), _rows(0.50, 0.74, 0.12)
    means = mean_rows([near, far])  # the means miss: NoMUS 0.5575 against gold's 0.60
    g = goal(means, [near, far])["scrub (tuned)"]
    assert not g["met"] and (g["seeds_met"], g["seeds"]) == (1, 2)
    assert "met on 1 of 2 held-out seeds alone" in markdown("x", means, goal(means, [near, far]), {},
                                                         {"validation": [1000], "report": [0, 1]})


def test_the_table_shows_means_with_spread_and_the_settings():
    per_seed = [[{"model": "gold", "metrics": {"nomus": v, "forget_acc": 0.5, "seconds": 1.0, "time_share": 1.0}},
                 {"model": "scrub (tuned)", "params": {"lr": 0.0123}, "metrics": {"nomus": v, "forget_acc": 0.5,
                                                                                 "seconds": 0.1, "time_share": 0.1}}]
                for v in (0.5, 0.7)]
    rows = mean_rows(per_seed)
    assert rows[0]["metrics"]["nomus"] == 0.6 and round(rows[0]["std"]["nomus"], 6) == 0.1
    text = markdown("synthfaces", rows, goal(rows), {}, {"validation": [1000], "report": [0, 1]})
    assert "| scrub (tuned) |" in text and "lr=0.0123" in text and "0.600 ± 0.100" in text
    assert "meets the goal" in text


def test_a_tiny_tuned_bench_reports_gold_original_untuned_and_tuned_on_held_out_seeds():
    options = {"datasets": "synthfaces", "synth_identities": "8", "synth_forget": "1", "methods": "finetune",
               "trials": "1", "epochs": "1"}
    result = BENCHES.get("tuned")(BenchArgs(seeds=1, validation_seeds=1, options=options))
    rows = result.doc["datasets"]["synthfaces"]["per_seed"][0]
    assert [r["model"] for r in rows] == ["original", "gold", "finetune (untuned)", "finetune (tuned)"]
    assert result.doc["seeds"] == {"validation": [1000], "report": [0]}
    assert result.doc["datasets"]["synthfaces"]["tuning"]["finetune"]["trials"] == 1
    assert rows[2]["params"] == {} and rows[3]["params"] == {"epochs": 3, "lr": 0.001}  # one trial: the defaults
    assert "finetune (tuned)" in result.markdown and "validation seed 1000" in result.markdown
