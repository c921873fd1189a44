"""How a failure is kept as text: the message a user reads first, then the traceback's tail.

An engine module: the worker stores a failed run's error with it, a sweep trial its own, and the
pipeline's visual audit the error of a map it could not draw, all in the same form.
"""

from __future__ import annotations

import traceback


def error_text(exc: BaseException) -> str:
    """The message a user reads first, then the traceback's tail for whoever debugs it."""
    tail = "".join(traceback.format_exception(exc)[-6:])
    return f"{type(exc).__name__}: {exc}\n\n{tail}"
