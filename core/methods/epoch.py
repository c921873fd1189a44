"""The epoch loop the step-by-step unlearning methods share, so each defines only its loss.

``EpochMethod.unlearn`` is: set up the run's state (``setup``, e.g. a frozen teacher), make the
optimiser (``stepper``), then for each epoch put the model in train mode, take one step per item
of the epoch's ``batches`` on the method's ``loss``, and report the epoch's mean loss with the
live metrics through ``ctx.report`` (where a cancel from the progress reporter lands). ``Stepper``
polls for a cancel before every step and checks the loss is finite, so every subclass stops within
one step of a cancel and names itself when it diverges.

A method with phases (SCRUB's max and min steps, UNSIR's impair and repair) yields items tagged
with their phase from ``batches`` and picks the loss term by the tag.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable

import torch

from core.methods.base import METHODS, Context, Method
from core.methods.stepping import Stepper, batches


class EpochMethod(Method):
    """A method that is one optimiser stepping through batches, epoch by epoch; subclasses set
    ``Params`` (with ``epochs`` and ``lr``) and implement :meth:`loss`, overriding the other hooks
    only where they differ."""

    optimizer: ClassVar[str] = "sgd"  # make_optimizer's kind

    def epochs(self) -> int:
        """How many epochs the loop runs (and the ``total`` every report names)."""
        return self.params.epochs

    def setup(self, ctx: Context) -> Any:
        """Per-run state handed to every :meth:`loss` call (teachers, a loss cap); None by default."""
        return None

    def stepper(self, ctx: Context) -> Stepper:
        """The run's optimiser: ``optimizer`` at ``params.lr``, clipping at ``params.max_grad_norm``
        where the method has one, named by its registered name in divergence errors."""
        return Stepper(ctx.model, self.params.lr, self.registered_name(), kind=self.optimizer,
                       max_grad_norm=getattr(self.params, "max_grad_norm", 0.0))

    def batches(self, ctx: Context, epoch: int) -> Iterable[Any]:
        """The epoch's items, one step each: by default one shuffled pass over the forget set."""
        return batches(ctx, "forget", epoch)

    def loss(self, ctx: Context, state: Any, batch: Any) -> torch.Tensor:
        """The loss of one step on ``batch`` (an item of :meth:`batches`); the method's defining part."""
        raise NotImplementedError

    def report_extra(self, epoch: int) -> dict[str, float]:
        """Extra values the epoch's report carries besides the mean loss (e.g. UNSIR's phase)."""
        return {}

    def registered_name(self) -> str:
        """The name this class is registered under in METHODS (its class name when unregistered)."""
        return next((e.name for e in METHODS.entries() if e.obj is type(self)), type(self).__name__)

    def unlearn(self, ctx: Context) -> torch.nn.Module:
        model, total = ctx.model, self.epochs()
        state = self.setup(ctx)
        step = self.stepper(ctx)
        for epoch in range(total):
            model.train()
            for batch in self.batches(ctx, epoch):
                step(self.loss(ctx, state, batch))
            ctx.report(epoch + 1, total, model, loss=step.end_epoch(), **self.report_extra(epoch))
        return model
