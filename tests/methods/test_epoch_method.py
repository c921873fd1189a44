"""The EpochMethod contract: the step-by-step methods define only their loss and hooks, and the base's
loop reports every epoch and stops within one step of a cancel (a poll) or at a report that cancels."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
import torch

import core.methods  # noqa: F401  (registers every method)
from core.methods import METHODS
from core.methods.epoch import EpochMethod
from core.progress import Cancelled, cancellable
from tests.methods.conformance import Recorder
from tests.methods.toy_identity import toy_context, toy_splits, trained_model

torch.set_num_threads(1)

STEP_BY_STEP = ("neggrad", "advanced_neggrad", "scrub", "random_labels", "bad_teacher", "unsir")
EPOCH_METHODS = [n for n in METHODS.names() if issubclass(METHODS.get(n), EpochMethod)]


@dataclass
class DescentParams:
    epochs: int = 3
    lr: float = 0.01


class Descent(EpochMethod):
    """A minimal EpochMethod (unregistered): plain descent on the forget set, counting its steps."""

    Params = DescentParams

    def setup(self, ctx):
        self.steps = 0

    def loss(self, ctx, state, batch):
        self.steps += 1
        x, y = batch
        return ctx.splits.task.loss(ctx.model(x), y)


@pytest.fixture(scope="module")
def toy():
    splits = toy_splits("y", n_id=10, per=10, forget_ids=4)
    assert len(splits.forget) > 32  # several steps per epoch, so a cancel can land inside one
    return splits, trained_model(splits, epochs=1)


def test_the_step_by_step_methods_are_epoch_methods():
    assert set(STEP_BY_STEP) <= set(EPOCH_METHODS)


@pytest.mark.parametrize("name", EPOCH_METHODS)
def test_an_epoch_method_defines_its_loss_not_the_loop(name):
    cls = METHODS.get(name)
    assert cls.unlearn is EpochMethod.unlearn, f"{name} overrides unlearn; the loop belongs to EpochMethod"
    assert cls.loss is not EpochMethod.loss, f"{name} defines no loss"


@pytest.mark.parametrize("name", EPOCH_METHODS)
def test_an_epoch_method_names_itself_in_divergence_errors(name, toy):
    splits, model = toy
    assert METHODS.get(name)().stepper(toy_context(splits, model)).where == name


def test_the_loop_reports_every_epoch_with_its_mean_loss(toy):
    splits, model = toy
    rec, method = Recorder(), Descent()
    method.unlearn(toy_context(splits, model, rec))
    assert [(c[0], c[1]) for c in rec.calls] == [(1, 3), (2, 3), (3, 3)]
    assert all("loss" in c[3] and "test_acc" in c[3] for c in rec.calls)
    assert method.steps == 3 * -(-len(splits.forget) // 32)  # one step per forget batch, every epoch


def test_the_loop_stops_at_a_report_that_cancels(toy):
    splits, model = toy
    rec, method = Recorder(cancel_at=1), Descent()
    with pytest.raises(Cancelled):
        method.unlearn(toy_context(splits, model, rec))
    assert len(rec.calls) == 1 and method.steps == -(-len(splits.forget) // 32)


def test_the_loop_stops_within_a_step_of_a_polled_cancel(toy):
    splits, model = toy
    polls = []

    def check():
        polls.append(1)
        if len(polls) >= 3:
            raise Cancelled("cancel")

    rec, method = Recorder(), Descent()
    with cancellable(check), pytest.raises(Cancelled):
        method.unlearn(toy_context(splits, model, rec))
    assert method.steps < 3 and rec.calls == []  # stopped inside the first epoch, before its report
