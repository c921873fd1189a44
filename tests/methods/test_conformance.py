"""Every registered method, through ``run_method`` as production runs it, on tiny identity and
class-subset requests: the same architecture back with finite weights and outputs, weights moved,
BatchNorm statistics re-estimated on its calibration split, progress reported, Cancelled honoured,
and a multi-label task either handled or refused by ``check`` with a clear error.

Parametrised over the METHODS registry, so a method added later is held to the same contract. A
method is skipped only for a forget kind it does not declare (``Method.kinds``); a ``ValueError``
for a kind it declares fails (see ``tests/methods/conformance.py``).
"""

from __future__ import annotations

import pytest
import torch

import core.methods  # noqa: F401  (registers every method and forget kind)
from core.data.forget import FORGET_KINDS
from core.methods import METHODS
from core.pipeline import run_method
from core.progress import Cancelled
from tests.methods.conformance import (Recorder, check_progress, check_unlearned, run_conformant, skip_unless_applies,
                                       snapshot)
from tests.methods.toy_identity import toy_prepared

torch.set_num_threads(1)

KINDS = ("identities", "class_subset")
TINY = {"tmu": {"epochs": 1, "twin_epochs": 1, "af_steps": 2, "cf_epochs": 1, "mlp_epochs": 20}}


@pytest.fixture(scope="module")
def prepared():
    return {kind: toy_prepared(kind) for kind in KINDS}


@pytest.fixture(scope="module")
def multi():
    return toy_prepared("identities", ["y", "z"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", METHODS.names())
def test_unlearns_through_the_pipeline(name, kind, prepared):
    prep = prepared[kind]
    before = snapshot(prep.original.model)
    rec = Recorder()
    model = run_conformant(prep, name, TINY.get(name), rec)
    check_unlearned(prep, name, model, before)
    check_progress(name, rec)


@pytest.mark.parametrize("name", METHODS.names())
def test_stops_with_cancelled(name, prepared):
    prep = next((prepared[k] for k in KINDS if METHODS.get(name).kinds is None or k in METHODS.get(name).kinds),
                prepared[KINDS[0]])
    skip_unless_applies(name, prep)
    rec = Recorder(cancel_at=1)
    with pytest.raises(Cancelled):
        run_method(prep, name, TINY.get(name, {}), rec)
    assert len(rec.calls) == 1, "the method kept going after progress raised Cancelled"


@pytest.mark.parametrize("name", METHODS.names())
def test_multi_label_works_or_is_refused_clearly(name, multi):
    if not METHODS.get(name).multi_label:
        with pytest.raises(ValueError, match="multi-label"):
            run_method(multi, name, TINY.get(name, {}))
        return
    before = snapshot(multi.original.model)
    model = run_conformant(multi, name, TINY.get(name))
    check_unlearned(multi, name, model, before)
    x, y = multi.splits.tensors("test")
    with torch.no_grad():
        logits = model.eval()(x)
    assert logits.shape == (len(x), 5)  # heads y (3 classes) and z (2 classes)
    assert multi.splits.task.correct(logits, y).shape == (len(x),)


@pytest.mark.parametrize("name", METHODS.names())
def test_declared_kinds_are_forget_kinds(name):
    kinds = METHODS.get(name).kinds
    assert kinds is None or (kinds and set(kinds) <= set(FORGET_KINDS.names())), (name, kinds)


def test_every_method_is_run_by_some_conformance_suite():
    """identities/class_subset here, attribute and pattern in tests/attribute/test_conformance.py."""
    covered = set(KINDS) | {"attribute", "pattern"}
    for name in METHODS.names():
        kinds = METHODS.get(name).kinds
        assert kinds is None or covered & set(kinds), f"no conformance suite runs {name} (kinds {kinds})"


def test_a_refusal_of_a_declared_kind_fails_rather_than_skips(prepared, monkeypatch):
    monkeypatch.setattr(METHODS.get("detachment"), "kinds", None)  # now claims identities too
    with pytest.raises(pytest.fail.Exception, match="declares forget kind 'identities' but refused it"):
        run_conformant(prepared["identities"], "detachment", {"epochs": 1})


def test_the_contract_catches_a_method_that_returns_the_original(prepared, monkeypatch):
    prep = prepared["identities"]
    monkeypatch.setattr(METHODS.get("finetune"), "unlearn", lambda self, ctx: ctx.model)
    with pytest.raises(AssertionError, match="left every weight"):
        check_unlearned(prep, "finetune", run_conformant(prep, "finetune"), snapshot(prep.original.model))


def test_every_method_has_documented_params():
    from core.params import describe_params

    for name in METHODS.names():
        for field in describe_params(METHODS.get(name).Params):
            assert field["help"], f"{name}.{field['name']} has no help line"
