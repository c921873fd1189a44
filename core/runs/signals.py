"""SIGTERM and Ctrl-C as a cancel request: the handler only sets a flag; the progress reporter acts on it.

A signal handler runs in the main thread between two bytecodes, wherever that thread happens to
be — possibly inside the run store's write transaction. A handler that wrote to SQLite there would
wait on a lock its own process holds (and fail the run with "database is locked" 30 s later). So
the handler here touches nothing but a flag; :class:`core.runs.progress.StoreProgress` checks it
at every report and poll, records the cancel in the store and raises ``Cancelled``.

The detached worker and the foreground CLI (``unlearn run`` / ``unlearn demo``) both install the
handlers through :func:`cancel_on_signals`, so SIGTERM and SIGINT mean the same thing everywhere.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

SIGNALS = (signal.SIGTERM, signal.SIGINT)
EXIT_CANCELLED = 130  # what a foreground run exits with when a signal cancelled it (128 + SIGINT)


class CancelFlag:
    """Set once a cancel signal arrives; remembers which signal it was, for the one-line message."""

    def __init__(self) -> None:
        self.signal_name: str | None = None

    def __bool__(self) -> bool:
        return self.signal_name is not None

    def set(self, signum: int) -> None:
        """Only an attribute store: safe at any point of the interrupted code, holds no lock."""
        if self.signal_name is None:
            self.signal_name = signal.Signals(signum).name


@contextmanager
def cancel_on_signals() -> Iterator[CancelFlag]:
    """Within the block SIGTERM and SIGINT set the yielded flag instead of killing the process.

    Outside the main thread (where Python cannot install handlers) the flag is yielded unarmed,
    so a caller there still gets a working, if never-set, flag."""
    flag = CancelFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return
    previous = {s: signal.signal(s, lambda signum, frame: flag.set(signum)) for s in SIGNALS}
    try:
        yield flag
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
