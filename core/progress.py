"""The progress callback every long step reports through, and the cancellation it can raise.

A ``Progress`` is called as ``progress(step, total, stage=..., **metrics)``. The run worker's
implementation records an event and raises :class:`Cancelled` when the user asked to cancel; the
CLI's draws a tqdm bar. Methods never know which one they have.
"""

from __future__ import annotations

from typing import Protocol


class Cancelled(Exception):
    """The user cancelled the run; raised from inside ``progress``."""


class Progress(Protocol):
    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None: ...


def poll(progress: Progress) -> None:
    """Let ``progress`` stop a long loop between two reports (a cancel) without recording anything.

    Loops that report once per epoch call this once per batch, so a cancel waits for one batch, not
    one epoch; a progress without a ``poll`` method (tqdm, ``silent``) makes it a no-op."""
    check = getattr(progress, "poll", None)
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

    def poll(self) -> None:
        for cb in self.callbacks:
            poll(cb)
