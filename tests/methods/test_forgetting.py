"""Each identity method forgets a planted fact, through ``run_method`` (BN recalibration included),
and stops forgetting it when its defining step is removed.

The planted case (``planted_identity_prepared``): two forgotten people wear a corner mark and are
all labelled class 0; the original model learned "mark -> 0" (forget loss 0.63), the gold model
never saw it (forget loss 4.4). ``test_forgets_the_planted_fact`` asks that the forget loss rise by
the case's ``rise`` above the original's while test accuracy stays; ``test_fails_without_its_defining_step``
removes the one step that makes the method forget (monkeypatched, the rest of the method as is)
and asks that the same criterion then fails. The thresholds sit between the two measured values
(CPU, one thread, seed 0), noted beside each case as ``full / ablated`` forget-loss rises.

Parameters are scaled to the tiny set (20 forget images, a few steps per epoch); the defaults are
sized for thousands of images. NegGrad and Advanced NegGrad use ``loss_cap=3``: with the default
cap (1 x the chance loss) every forget sample's *train-mode* loss on a forget-only batch is above
the cap or already ~0, so the ascent has no gradient and the model does not move on this case.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import pytest
import torch

import core.methods.advanced_neggrad as advanced_neggrad
import core.methods.bad_teacher as bad_teacher
import core.methods.cfk as cfk
import core.methods.finetune as finetune
import core.methods.neggrad as neggrad
import core.methods.random_labels as random_labels
import core.methods.retrain as retrain
import core.methods.scrub as scrub
import core.methods.unsir as unsir
from core.pipeline import Prepared, run_method

torch.set_num_threads(1)
BLOCKS = cfk.trainable_blocks  # the real split, even while an ablation replaces cfk's


def loss_on(model: torch.nn.Module, prep: Prepared, split: str) -> float:
    x, y = prep.splits.tensors(split)
    with torch.no_grad():
        return prep.splits.task.loss(model.eval()(x), y).item()


def accuracy_on(model: torch.nn.Module, prep: Prepared, split: str) -> float:
    x, y = prep.splits.tensors(split)
    with torch.no_grad():
        return prep.splits.task.correct(model.eval()(x), y).float().mean().item()


def frozen_blocks_kept(model: torch.nn.Module, prep: Prepared, k: int) -> bool:
    """Every parameter of the blocks before the last ``k`` is exactly the original's."""
    frozen, _ = BLOCKS(prep.original.model, k)
    n = sum(1 for b in frozen for _ in b.parameters())
    before = list(prep.original.model.parameters())[:n]
    return all(torch.equal(a, b) for a, b in zip(before, list(model.parameters())[:n]))


# --- ablations: each removes one method's defining step, leaving the rest of the method as it is ---

def _train_on_everything(f: Callable) -> Callable:
    return lambda model, ctx, split, *rest: f(model, ctx, "train", *rest)


def no_retain_only(module):
    """Fine-tuning / retraining on the whole training set, forget images included."""
    return lambda mp: mp.setattr(module, "finetune_on", _train_on_everything(module.finetune_on))


def no_freezing(mp):
    """CF-k with no block frozen (k = all)."""
    mp.setattr(cfk, "trainable_blocks", lambda model, k: ([], model.blocks()))


def descent_not_ascent(mp):
    """NegGrad's ascent turned into descent on the same capped loss."""
    ascent = neggrad.capped_ascent
    mp.setattr(neggrad, "capped_ascent", lambda task, logits, y, cap: -ascent(task, logits, y, cap))


def no_forget_term(mp):
    """Advanced NegGrad without its −α·CE(forget) term (the retain CE alone)."""
    mp.setattr(advanced_neggrad, "capped_ascent", lambda task, logits, y, cap: logits.sum() * 0.0)


def no_noise(mp):
    """UNSIR's impair step without the noise term (the retain batch alone)."""
    mp.setattr(unsir, "impair_loss", lambda model, task, xf, xr, yr, p: task.loss(model(xr), yr))


def no_max_steps(mp):
    """SCRUB without its max steps (the min steps alone)."""
    steps = scrub.Scrub.batches
    mp.setattr(scrub.Scrub, "batches", lambda self, ctx, epoch: (b for b in steps(self, ctx, epoch) if b[0] != "max"))


def competent_forget_teacher(mp):
    """Bad Teacher whose forget teacher is the original model instead of a random one."""
    mp.setattr(bad_teacher, "incompetent_teacher", lambda ctx: copy.deepcopy(ctx.model).eval().requires_grad_(False))


def true_labels(mp):
    """Random Labeling that trains the forget batch on its true labels."""
    mp.setattr(random_labels, "forget_targets", lambda task, y: y)


@dataclass
class Case:
    params: dict
    rise: float  # the forget loss must rise at least this much above the original's
    ablate: Callable[[pytest.MonkeyPatch], None]
    extra: Callable[[torch.nn.Module, Prepared], bool] | None = None  # a further criterion (CF-k)


CASES = {
    "finetune": Case({"epochs": 1}, 1.0, no_retain_only(finetune)),  # +2.14 / -0.61
    "retrain": Case({}, 2.0, no_retain_only(retrain)),  # +4.73 / -0.62
    "cfk": Case({"k": 2, "epochs": 2, "lr": 0.05}, 1.0, no_freezing,  # +3.32, first blocks kept / changed
                extra=lambda model, prep: frozen_blocks_kept(model, prep, 2)),
    "neggrad": Case({"epochs": 3, "lr": 0.01, "loss_cap": 3.0}, 1.5, descent_not_ascent),  # +2.98 / -0.62
    "advanced_neggrad": Case({"epochs": 3, "lr": 0.01, "loss_cap": 3.0}, 1.5, no_forget_term),  # +3.02 / +0.40
    "unsir": Case({}, 0.5, no_noise),  # +1.28 / +1.48: see test_unsir_noise_adds_forgetting
    "scrub": Case({"epochs": 2, "max_epochs": 2, "forget_batch_size": 8}, 2.5, no_max_steps),  # +4.50 / +1.32
    "bad_teacher": Case({"epochs": 8, "lr": 1e-3, "batch_size": 16}, 0.3, competent_forget_teacher),  # +0.58 / -0.27
    "random_labels": Case({"epochs": 6, "lr": 0.03}, 0.6, true_labels),  # +1.18 / -0.62
}
ABLATABLE = [name for name in CASES if name != "unsir"]


def forgot(name: str, model: torch.nn.Module, prep: Prepared) -> tuple[bool, str]:
    """The case's criterion, with the numbers that decided it."""
    case = CASES[name]
    before, after = loss_on(prep.original.model, prep, "forget"), loss_on(model, prep, "forget")
    ok = after >= before + case.rise and (case.extra is None or case.extra(model, prep))
    return ok, f"{name}: forget loss {before:.3f} -> {after:.3f} (needs +{case.rise})"


def test_the_planted_case_has_something_to_forget(planted_identity):
    prep = planted_identity
    assert loss_on(prep.gold.model, prep, "forget") > loss_on(prep.original.model, prep, "forget") + 3
    assert accuracy_on(prep.original.model, prep, "forget") >= 0.7 > 0.4 >= accuracy_on(prep.gold.model, prep, "forget")


@pytest.mark.parametrize("name", sorted(CASES))
def test_forgets_the_planted_fact(planted_identity, name):
    model, _, _ = run_method(planted_identity, name, CASES[name].params)
    ok, detail = forgot(name, model, planted_identity)
    assert ok, detail
    assert accuracy_on(model, planted_identity, "test") >= 0.9, f"{name} lost the task"


@pytest.mark.parametrize("name", sorted(ABLATABLE))
def test_fails_without_its_defining_step(planted_identity, name, monkeypatch):
    CASES[name].ablate(monkeypatch)
    model, _, _ = run_method(planted_identity, name, CASES[name].params)
    ok, detail = forgot(name, model, planted_identity)
    assert not ok, f"still passes with its defining step removed: {detail}"


@pytest.mark.xfail(strict=True, reason="measured: UNSIR's noise term adds no forgetting over its retain steps on "
                                       "the planted case (forget loss +1.28 with it, +1.48 without); the "
                                       "retain training does the forgetting. Strict: passing means it was fixed.")
def test_unsir_noise_adds_forgetting(planted_identity, monkeypatch):
    full, _, _ = run_method(planted_identity, "unsir", CASES["unsir"].params)
    no_noise(monkeypatch)
    ablated, _, _ = run_method(planted_identity, "unsir", CASES["unsir"].params)
    assert loss_on(full, planted_identity, "forget") >= loss_on(ablated, planted_identity, "forget") + 0.3


def test_cfk_through_the_pipeline_keeps_frozen_weights_and_recalibrates_their_statistics(planted_identity):
    """What CF-k's docstring says: the first blocks' weights are the original's; their BN statistics
    are re-estimated on retain by ``run_method`` like every block's, so they are retain's (through the
    unchanged weights), no longer the original's train statistics."""
    prep, k = planted_identity, 2
    model, _, _ = run_method(prep, "cfk", CASES["cfk"].params)
    assert frozen_blocks_kept(model, prep, k)
    frozen, _ = cfk.trainable_blocks(prep.original.model, k)
    expect = copy.deepcopy(prep.original.model)
    from core.training import recalibrate_batchnorm

    recalibrate_batchnorm(expect, prep.splits.loader("retain", prep.scenario.train.batch_size), prep.device)
    n_frozen = sum(len(b.state_dict()) for b in frozen)
    keys = [k_ for k_ in list(model.state_dict())[:n_frozen] if "running" in k_]
    assert keys, "the frozen blocks hold BatchNorm statistics"
    got, want, orig = model.state_dict(), expect.state_dict(), prep.original.model.state_dict()
    for key in keys:
        assert torch.allclose(got[key], want[key], atol=1e-5), f"{key} is not the retain statistics"
    changed = sum(not torch.allclose(got[key], orig[key]) for key in keys)
    assert changed, "recalibration left train's statistics"
