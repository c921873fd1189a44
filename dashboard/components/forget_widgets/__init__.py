"""The Forget page's inputs per forget kind: ``FORGET_WIDGETS`` maps a kind's name to the function
that draws its inputs (the people gallery, the samples box, the class pickers); every other kind
gets the generic column/value pickers, so a new kind needs a widget only when those do not fit."""

from __future__ import annotations

from typing import Any

from core.data.table import ImageTable
from dashboard.components.forget_widgets.base import FORGET_WIDGETS, Widget, remembered
from dashboard.components.forget_widgets.columns import column_value
import dashboard.components.forget_widgets.people  # noqa: F401  (registers its widget; samples likewise)
import dashboard.components.forget_widgets.samples  # noqa: F401


def draw_inputs(kind: str, table: ImageTable) -> dict[str, Any]:
    """Draw ``kind``'s inputs and return the form's choices for ``build_request``."""
    widget = FORGET_WIDGETS.get(kind) if kind in FORGET_WIDGETS else column_value
    return widget(kind, table)


__all__ = ["FORGET_WIDGETS", "Widget", "column_value", "draw_inputs", "remembered"]
