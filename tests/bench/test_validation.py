"""The bench's choosing step: validation seeds apart from report seeds, a validation view that never
reads the test split, the best candidate by the given score, and the user's values standing."""

from __future__ import annotations

import pytest
import torch

from core.bench.notes import departures, departures_markdown
from core.bench.validation import candidates, choose, seed_plan, validation_view, with_chosen
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.pipeline import Prepared
from tests.methods.toy_identity import toy_table


def test_seed_plan_keeps_validation_and_report_seeds_apart():
    plan = seed_plan(3, 2)
    assert plan == {"validation": [1000, 1001], "report": [0, 1, 2]}
    assert not set(plan["validation"]) & set(plan["report"])
    with pytest.raises(ValueError, match="at least one report seed"):
        seed_plan(0, 1)


def test_validation_view_scores_on_unseen_halves_never_on_test():
    splits = make_splits(toy_table(n_id=24, per=10), "y", ForgetRequest(kind="identities", count=2), seed=1000)
    prep = Prepared(None, splits, torch.device("cpu"), None, None)
    view = validation_view(prep, 1000).splits
    test, unseen = set(splits.test.tolist()), set(splits.unseen.tolist())
    assert not set(view.test.tolist()) & test and not set(view.unseen.tolist()) & test
    assert set(view.test.tolist()) | set(view.unseen.tolist()) == unseen
    assert not set(view.test.tolist()) & set(view.unseen.tolist())
    assert torch.equal(view.train, splits.train) and torch.equal(view.forget, splits.forget)


def test_choose_keeps_the_best_candidate_and_the_users_values():
    seen = []

    def trial(seed, method, params):
        seen.append((seed, method, dict(params)))
        return {"x": -abs(params["lr"] - 0.01) + seed * 0.0}

    out = choose("subset", ["tmu", "finetune"], {"tmu": {"epochs": 2}}, [1000, 1001], trial,
                 lambda m, metrics, seeds: sum(r["x"] for r in metrics))
    assert out["chosen"] == {"tmu": {"lr": 0.01}}  # finetune has no candidates: absent
    assert {s for s, _, _ in seen} == {1000, 1001} and all(p["epochs"] == 2 for _, _, p in seen)
    assert with_chosen({"tmu": {"epochs": 2}}, out["chosen"]) == {"tmu": {"lr": 0.01, "epochs": 2}}
    assert candidates("subset", "tmu", {"lr": 0.5}) == []  # the user's lr stands
    assert choose("subset", ["tmu"], {}, [], trial, lambda *a: 0.0)["chosen"] == {}  # no validation seed


def test_departures_are_read_from_the_method_classes():
    found = departures(["neggrad", "tmu", "finetune", "nosuch"])
    assert set(found) == {"neggrad", "tmu"}
    assert any("loss_cap" in d for d in found["neggrad"]) and any("count" in d for d in found["tmu"])
    assert "- tmu: " in departures_markdown(["tmu"]) and departures_markdown(["finetune"]) == ""
