"""The identity methods' building blocks and guards (tiny data, seconds). Whether each method
forgets, and stops forgetting without its defining step, is ``test_forgetting``."""

from __future__ import annotations

import copy
import math

import pytest
import torch

from core.methods import METHODS
from core.methods.bad_teacher import mixed_loader
from core.methods.cfk import trainable_blocks
from core.methods.stepping import Stepper
from core.methods.objectives import capped_ascent, chance_loss, distill_kl
from core.methods.unsir import UnsirParams, far_noise
from core.params import build_params
from core.task import Task
from core.training import DivergedError
from tests.methods.toy_identity import toy_context, toy_splits, trained_model

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def setup():
    splits = toy_splits("y", n_id=20, per=10)
    return splits, trained_model(splits)


def run(name: str, setup, **params):
    splits, original = setup
    cls = METHODS.get(name)
    ctx = toy_context(splits, copy.deepcopy(original))
    method = cls(build_params(cls.Params, params))
    method.check(ctx)
    return method.unlearn(ctx), ctx


def test_chance_loss_and_capped_ascent_stop_past_the_cap():
    task = Task(("a", "b"), (3, 2))
    assert chance_loss(task) == pytest.approx(math.log(3) + math.log(2))
    logits = torch.tensor([[5.0, 0, 0, 2, 0], [0, 5.0, 0, 0, 2]], requires_grad=True)
    y = torch.tensor([[0, 0], [0, 0]])  # sample 0 right (low loss), sample 1 wrong (high loss)
    per = task.loss(logits, y, reduction="none")
    cap = float(per[0].detach()) + 0.1
    capped_ascent(task, logits, y, cap).backward()
    assert logits.grad[0].abs().sum() > 0 and logits.grad[1].abs().sum() == 0
    assert capped_ascent(task, logits, y, 0.0).item() == pytest.approx(-per.mean().item())


def test_distill_kl_is_zero_for_equal_outputs_and_sums_heads():
    task = Task(("a", "b"), (2, 2))
    s = torch.tensor([[0.0, 0.0, 1.0, 0.0]])
    assert distill_kl(task, s, s.clone()).item() == pytest.approx(0.0, abs=1e-7)
    t = torch.tensor([[math.log(3.0), 0.0, 1.0, 0.0]])  # head a: teacher (3/4, 1/4) vs student (1/2, 1/2)
    hand = 0.75 * math.log(0.75 / 0.5) + 0.25 * math.log(0.25 / 0.5)
    assert distill_kl(task, s, t).item() == pytest.approx(hand, rel=1e-5)
    assert distill_kl(task, s, t, temperature=2.0).item() > 0


def test_cfk_refuses_more_blocks_than_the_model_has(setup):
    splits, original = setup
    frozen, train = trainable_blocks(original, 2)
    assert sum(1 for b in train if any(True for _ in b.parameters())) == 2
    with pytest.raises(ValueError, match="blocks with parameters"):
        METHODS.get("cfk")(build_params(METHODS.get("cfk").Params, {"k": 50})).check(toy_context(splits, original))


def test_neggrad_stays_finite_under_a_huge_step(setup):
    wild, _ = run("neggrad", setup, epochs=4, lr=0.5)  # guards on: bounded, never NaN
    assert all(torch.isfinite(p).all() for p in wild.parameters())


def test_a_nan_loss_stops_the_method_with_a_clear_error():
    model = torch.nn.Linear(2, 2)
    step = Stepper(model, 0.1, "neggrad")
    step(model(torch.ones(1, 2)).sum())
    step.end_epoch()
    with pytest.raises(DivergedError, match="neggrad epoch 2.*learning rate"):
        step(model(torch.ones(1, 2)).sum() * float("nan"))


def test_unsir_noise_is_bounded_and_far_from_the_forget_batch(setup):
    splits, original = setup
    x, _ = splits.tensors("forget")
    torch.manual_seed(0)
    noise = far_noise(original, x[:8], UnsirParams(noise_steps=20))
    assert noise.shape == x[:8].shape and noise.min() >= 0 and noise.max() <= 1
    with torch.no_grad():
        far = (original(noise) - original(x[:8])).pow(2).mean()
        near = (original(x[8:16]) - original(x[:8])).pow(2).mean()
    assert far > near


def test_bad_teacher_mixes_all_forget_and_a_share_of_retain(setup):
    splits, original = setup
    ctx = toy_context(splits, original)
    flags = torch.cat([f for _, f in mixed_loader(ctx, 0.3, 16, 0)])
    assert int(flags.sum()) == len(splits.forget)
    assert int((~flags).sum()) == round(0.3 * len(splits.retain))


def test_scrub_keeps_retain_accuracy(setup):
    splits, original = setup
    out, _ = run("scrub", setup, epochs=2)
    x, y = splits.tensors("retain")
    with torch.no_grad():
        assert splits.task.correct(out.eval()(x), y).mean().item() > 0.8


def test_scrub_retain_batches_caps_the_min_steps_and_zero_keeps_the_whole_pass(setup):
    splits, original = setup
    cls = METHODS.get("scrub")
    ctx = toy_context(splits, copy.deepcopy(original))
    batch = ctx.train.batch_size

    def phases(**params) -> list[str]:
        return [phase for phase, _ in cls(build_params(cls.Params, params)).batches(ctx, 0)]

    whole = phases()
    assert whole.count("min") == math.ceil(len(splits.retain) / batch) > 2  # SCRUB's whole retain pass
    capped = phases(retain_batches=2)
    assert capped.count("min") == 2 and capped.count("max") == whole.count("max") > 0  # max steps untouched
