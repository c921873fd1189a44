"""What a forget widget is, and the helper every one draws with.

A widget draws one forget kind's inputs on the Forget page and returns the form's choices (the keys
:func:`dashboard.components.forget_request.build_request` reads: identities, samples_text, column,
value, values, fraction). It is registered in ``FORGET_WIDGETS`` under its kind's name; a kind with
none gets the generic column/value pickers.
"""

from __future__ import annotations

from typing import Any, Callable

from core.data.table import ImageTable
from core.registry import Registry
from dashboard.components.kept_state import keep, remember

Widget = Callable[[str, ImageTable], dict[str, Any]]
FORGET_WIDGETS: Registry[Widget] = Registry("forget widget")


def remembered(widget, label: str, key: str, default, options=None, **kwargs):
    """Draw the Streamlit ``widget`` with its value kept across kinds and pages (see kept_state)."""
    remember(key, default, options)
    value = widget(label, options, key=key, **kwargs) if options is not None else widget(label, key=key, **kwargs)
    keep(key)
    return value
