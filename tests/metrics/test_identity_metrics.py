"""Membership-attack numbers against hand-computed values: ROC/TPR at low FPR, the paper's MIA
accuracy and NoMUS, and LiRA on a planted member/non-member split."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from core.metrics import Evaluation, evaluate
from core.metrics.mia import attack_accuracy, balanced_scores
from core.metrics.mia_roc import roc_summary, thin_curve, tpr_at_fpr
from core.metrics.nomus import forgetting_score, nomus
from core.task import Task
from tests.methods.toy_identity import toy_splits

torch.set_num_threads(1)


def test_roc_auc_and_tpr_at_low_fpr_by_hand():
    members = np.array([0.9, 0.8, 0.7, 0.3])
    nonmembers = np.array([0.6, 0.2, 0.1, 0.05])
    numbers, curve = roc_summary(members, nonmembers, "mia")
    # 15 of the 16 member/non-member pairs are ordered right (only 0.3 < 0.6)
    assert numbers["mia_auc"] == pytest.approx(15 / 16)
    # no false positive while the threshold stays above 0.6: 3 of 4 members caught
    assert numbers["mia_tpr_at_1fpr"] == pytest.approx(0.75)
    assert numbers["mia_tpr_at_0_1fpr"] == pytest.approx(0.75)
    assert curve["fpr"][0] == 0.0 and curve["tpr"][-1] == 1.0 and curve["members"] == 4
    json.dumps(curve)


def test_tpr_at_fpr_picks_the_best_point_within_the_budget():
    fpr = np.array([0.0, 0.005, 0.01, 0.02, 1.0])
    tpr = np.array([0.0, 0.2, 0.4, 0.9, 1.0])
    assert tpr_at_fpr(fpr, tpr, 0.01) == 0.4
    assert tpr_at_fpr(fpr, tpr, 0.001) == 0.0
    assert tpr_at_fpr(fpr, tpr, 0.5) == 0.9


def test_thin_curve_keeps_ends_and_at_most_the_limit():
    fpr = np.linspace(0, 1, 5000)
    out = thin_curve(fpr, fpr ** 0.5, max_points=200)
    assert len(out["fpr"]) <= 200 and out["fpr"][0] == 0.0 and out["fpr"][-1] == 1.0


def test_mia_accuracy_extremes_by_hand():
    rng = np.random.default_rng(0)
    low, high = rng.uniform(0.0, 0.1, 50), rng.uniform(5.0, 6.0, 50)
    assert attack_accuracy(low, high) == 1.0  # members' losses all lower: perfectly separable
    assert attack_accuracy(high, low) == 1.0  # the attacker learns either direction
    same = np.full(50, 0.7)
    assert attack_accuracy(same, same) == 0.5  # nothing to tell apart: a balanced fold is half right
    x, y = balanced_scores(np.arange(100.0), np.arange(20.0))
    assert len(x) == 40 and y.sum() == 20


def test_nomus_and_forgetting_score_by_hand():
    assert forgetting_score(0.7) == pytest.approx(0.2)
    assert forgetting_score(0.3) == pytest.approx(0.2)
    assert nomus(0.8, 0.7) == pytest.approx(0.5 * 0.8 + 0.5 * (1 - 0.4))  # 0.7
    assert nomus(0.6, 0.5) == pytest.approx(0.8)
    assert nomus(0.6, 0.5, lam=1.0) == pytest.approx(0.6)
    with pytest.raises(ValueError, match="lambda"):
        nomus(0.5, 0.5, lam=1.5)


class Fixed(torch.nn.Module):
    """A 'model' whose logits are given per split (the Evaluation caches logits by split)."""


def _evaluation_with_logits(splits, logits_by_split) -> Evaluation:
    ev = Evaluation(Fixed(), splits, torch.device("cpu"))
    for split, logits in logits_by_split.items():
        ev._logits[(id(ev.model), split)] = logits
    return ev


def _confident(y: torch.Tensor, margin: float, classes: int = 3) -> torch.Tensor:
    """Logits that put ``margin`` on the true class of a single-head task."""
    out = torch.zeros(len(y), classes)
    out[torch.arange(len(y)), y[:, 0]] = margin
    return out


def test_mia_metrics_on_planted_losses():
    splits = toy_splits("y", n_id=20, per=10)
    fy, uy = splits.targets(splits.forget), splits.targets(splits.unseen)
    ty, ry = splits.targets(splits.test), splits.targets(splits.retain)
    # members: confident and right (tiny loss); non-members: uniform logits (loss ln 3)
    # an identity request: the non-members are all of unseen (the "nonmember" pseudo-split)
    assert torch.equal(Evaluation(Fixed(), splits, torch.device("cpu")).index("nonmember"), splits.unseen)
    ev = _evaluation_with_logits(splits, {"forget": _confident(fy, 8.0), "nonmember": torch.zeros(len(uy), 3),
                                          "test": _confident(ty, 8.0), "retain": _confident(ry, 8.0)})
    r = evaluate(ev, ["accuracy", "mia", "nomus", "mia_roc"])
    assert r["test_acc"] == 1.0 and r["mia_acc"] == 1.0 and r["mia_n"] == min(len(fy), len(uy))
    assert r["forgetting_score"] == pytest.approx(0.5) and r["nomus"] == pytest.approx(0.5 * 1.0 + 0.5 * 0.0)
    assert r["mia_auc"] == 1.0 and r["mia_tpr_at_1fpr"] == 1.0
    ev.results.clear()
    ev.settings["nomus_lambda"] = 1.0  # the scenario's evaluation.nomus_lambda: all weight on accuracy
    assert evaluate(ev, ["accuracy", "mia", "nomus"])["nomus"] == pytest.approx(1.0)
    roc = ev.extras["mia_roc"]
    assert roc["members"] == len(fy) and roc["nonmembers"] == len(uy) and len(roc["fpr"]) <= 200


def test_logit_confidence_by_hand():
    from core.metrics.lira import logit_confidence

    task = Task(("a",), (3,))
    phi = logit_confidence(task, torch.tensor([[2.0, 0.0, 0.0]]), torch.tensor([[0]]))
    p = math.exp(2) / (math.exp(2) + 2)
    assert phi[0] == pytest.approx(math.log(p) - math.log(1 - p), rel=1e-5)  # = 2 − ln 2


def planted_table(n_id: int = 24, per: int = 8):
    """Each person has a fixed random look and a random label: only a model that trained on a
    person's photos can predict that person's label, so membership is planted per identity."""
    from core.data.table import ImageTable

    g = torch.Generator().manual_seed(0)
    ident = torch.arange(n_id).repeat_interleave(per)
    look = torch.randint(0, 200, (n_id, 3, 16, 16), generator=g)
    imgs = (look[ident] + torch.randint(0, 40, (n_id * per, 3, 16, 16), generator=g)).clamp(0, 255).to(torch.uint8)
    y = torch.randint(0, 3, (n_id,), generator=g)[ident]
    return ImageTable("planted", imgs, {"y": y}, {"y": ["a", "b", "c"]}, identity=ident)


def test_lira_beats_chance_on_a_planted_split():
    """Members = the forget identities (in the target's training set), non-members = unseen ones."""
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits
    from core.methods.base import TrainSettings
    from core.metrics.lira import lira_attack, lira_reference
    from core.models import ModelSpec, build_model
    from core.training import seed_everything, train_epochs

    cpu = torch.device("cpu")
    splits = make_splits(planted_table(), "y", ForgetRequest(kind="identities", count=6), seed=0,
                         test_fraction=0.1, unseen_fraction=0.25)
    settings = TrainSettings(epochs=5, lr=3e-3, batch_size=16)

    def trained_on(split: str):
        seed_everything(0)
        model = build_model("smallcnn", ModelSpec(3, 16, 3))
        return train_epochs(model, splits.loader(split, 16, shuffle=True), splits.task, 5, 3e-3, cpu)

    ref = lira_reference(splits, "smallcnn", settings, n_shadows=3, device=cpu)
    target = trained_on("train")
    out = lira_attack(target, ref, splits, cpu)
    assert out["lira_auc"] > 0.9
    assert out["lira_tpr_at_1fpr"] > 0.5  # chance would be about 0.01
    # a model that never saw the members gives the attack nothing to find
    assert abs(lira_attack(trained_on("retain"), ref, splits, cpu)["lira_auc"] - 0.5) < 0.2
    # the metric reads the same reference from an Evaluation's extras and agrees; without it, it stays off
    ev = Evaluation(target, splits, cpu, extras={"lira": ref})
    assert evaluate(ev, ["lira"])["lira_auc"] == pytest.approx(out["lira_auc"])
    assert "lira_auc" not in evaluate(Evaluation(target, splits, cpu), ["lira"])
    with pytest.raises(ValueError, match="at least 2"):
        lira_reference(splits, "smallcnn", settings, n_shadows=1, device=cpu)


def test_gold_gap_and_activation_distance_by_hand():
    splits = toy_splits("y", n_id=20, per=10)
    fy = splits.targets(splits.forget)
    n = len(fy)
    mine = _confident(fy, 50.0)  # right on every forget image, softmax one-hot on the truth
    gold = _confident((fy + 1) % 3, 50.0)  # the gold model is wrong on every one of them
    ev = _evaluation_with_logits(splits, {"forget": mine})
    ev.gold = Fixed()
    ev._logits[(id(ev.gold), "forget")] = gold
    r = evaluate(ev, ["alignment"])
    assert r["gold_gap"] == pytest.approx(1.0)  # |1.0 − 0.0|
    assert r["activation_distance"] == pytest.approx(math.sqrt(2), rel=1e-4)  # two one-hots a sqrt(2) apart
    half = gold.clone()
    half[: n // 2] = mine[: n // 2]  # now the gold model agrees on the first half
    ev._logits[(id(ev.gold), "forget")] = half
    r = evaluate(ev, ["alignment"])
    assert r["gold_gap"] == pytest.approx(1 - (n // 2) / n)
    assert r["activation_distance"] == pytest.approx(math.sqrt(2) * (n - n // 2) / n, rel=1e-4)


def test_top2_accuracy_by_hand():
    splits = toy_splits("y", n_id=20, per=10)
    ty = splits.targets(splits.test)[:, 0]
    logits = torch.zeros(len(ty), 3)
    logits[torch.arange(len(ty)), (ty + 1) % 3] = 3.0  # the top guess is always wrong
    logits[torch.arange(len(ty)), ty] = 2.0  # the truth is always second: top-2 finds all
    ev = _evaluation_with_logits(splits, {"test": logits})
    assert evaluate(ev, ["top2"])["top2_acc"] == 1.0
    q = torch.arange(len(ty) // 4)
    logits[q, ty[q]] = 0.0  # a quarter now put the truth last: the third class gets 1.0
    logits[q, (ty[q] + 2) % 3] = 1.0
    ev = _evaluation_with_logits(splits, {"test": logits})
    assert evaluate(ev, ["top2"])["top2_acc"] == pytest.approx(1 - len(q) / len(ty))
