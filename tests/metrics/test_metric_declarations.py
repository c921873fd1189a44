"""Every number a metric produces is declared (core/metric_keys.py), with words, where readers find them.

The metrics run on two tiny requests with untrained models (an identity request with the loss attack and
LiRA, an attribute request on a binary task for fairness and the attribute attacker), final and live: each
key they return must be declared with a label and a one-line meaning, and the keys declared live must be
the ones a live evaluation returns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.metric_keys import Key
from core.metric_words import declared, key_of
from core.metrics import METRICS, Evaluation, evaluate
from core.metrics.lira import LiraReference
from core.models import ModelSpec, build_model
from core.training import seed_everything
from tests.methods.toy_identity import toy_table

torch.set_num_threads(1)
CPU = torch.device("cpu")


def _model(splits, seed: int):
    seed_everything(seed)
    c, h, _ = splits.table.image_shape
    return build_model("smallcnn", ModelSpec(c, h, splits.task.out_dim)).eval()


def _evaluations(live: bool) -> list[Evaluation]:
    table = toy_table(n_id=12, per=6)
    ident = make_splits(table, "y", ForgetRequest(kind="identities", count=2), seed=0)
    n_f, n_u = len(ident.forget), len(ident.unseen)
    lira = LiraReference(np.zeros(n_f), np.zeros(n_u), np.ones(n_f), np.ones(n_u), 2)
    attr = make_splits(table, "z", ForgetRequest(kind="attribute", column="y"), seed=0)
    return [Evaluation(_model(ident, 0), ident, CPU, gold=_model(ident, 1), live=live,
                       settings={"attacks": ["loss"]}, extras={"lira": lira}),
            Evaluation(_model(attr, 0), attr, CPU, gold=_model(attr, 1), live=live,
                       settings={"attacker": "linear", "extra_attributes": ["z"]})]


@pytest.fixture(scope="module")
def produced() -> dict[bool, set[str]]:
    return {live: {k for ev in _evaluations(live) for k in evaluate(ev)} for live in (False, True)}


def test_every_key_a_metric_produces_is_declared_with_words(produced):
    names = produced[False] | produced[True]
    assert {"lira_auc", "loss_auc", "eod", "aps", "aum_normalized", "efficacy_z", "mia_gold_gap"} <= names
    for name in names:
        key = key_of(name)
        assert key is not None, f"{name} is produced but not declared"
        assert key.label.strip() and key.label != name and key.meaning.strip() and "\n" not in key.meaning
        assert "{" not in key.label + key.meaning  # a pattern's placeholder is filled in


def test_keys_declared_live_are_those_a_live_evaluation_reports(produced):
    live_declared = {k.name for m in METRICS._entries.values() for k in m.obj.keys if k.live}
    assert live_declared <= produced[True]  # each live key is computed per epoch
    for name in live_declared:
        assert key_of(name).color is None or key_of(name).better is not None  # a drawn line says which way is better


def test_declarations_are_consistent():
    for key in declared():
        assert key.range is None or key.range[0] < key.range[1]
        assert key.chance is None or key.range is None or key.range[0] <= key.chance <= key.range[1]
        assert key.target is None or key_of(key.target) is not None  # a target names a declared key
    with pytest.raises(ValueError, match="one of"):
        Key("x", "X", "an x", better="up")
    with pytest.raises(ValueError, match="declared twice"):
        from core.metric_keys import declare

        declare(Key("test_acc", "T", "again"))
