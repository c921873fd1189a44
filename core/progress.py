"""The progress callback every long step reports through, and the cancellation it can raise.

A ``Progress`` is called as ``progress(step, total, stage=..., **metrics)``. The run worker's
implementation records an event and raises :class:`Cancelled` when the user asked to cancel; the
CLI's draws a tqdm bar. Methods never know which one they have.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator, Protocol


class Cancelled(Exception):
    """The user cancelled the run; raised from inside ``progress``."""


class Progress(Protocol):
    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None: ...


_CHECK: ContextVar[Callable[[], None] | None] = ContextVar("cancel_check", default=None)


@contextmanager
def cancellable(check: Callable[[], None]) -> Iterator[None]:
    """Within the block :func:`poll` calls ``check``, which raises :class:`Cancelled` to stop the run.

    The run worker installs its progress reporter's check here, so loops deep in training, methods
    and metrics stop within one batch of a cancel without each being handed the progress callback."""
    token = _CHECK.set(check)
    try:
        yield
    finally:
        _CHECK.reset(token)


def poll() -> None:
    """Called once per batch by the loops every long stage runs through (training, method batches,
    scoring): raises Cancelled once the run was cancelled; a no-op outside :func:`cancellable`.
    It records nothing, so it is cheap enough to call that often."""
    check = _CHECK.get()
    if check is not None:
        check()


def silent(step: int, total: int, *, stage: str = "", **metrics: float) -> None:
    """A progress that does nothing (tests, nested helpers)."""


class Tee:
    """Calls several progress callbacks in turn (e.g. the store and a tqdm bar)."""

    def __init__(self, *callbacks: Progress) -> None:
        self.callbacks = callbacks

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        for cb in self.callbacks:
            cb(step, total, stage=stage, **metrics)

