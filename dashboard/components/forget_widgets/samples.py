"""The samples kind's input: a text box of sample ids or row numbers."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.data.table import ImageTable
from dashboard.components.forget_widgets.base import FORGET_WIDGETS, remembered


@FORGET_WIDGETS.register("samples")
def samples(kind: str, table: ImageTable) -> dict[str, Any]:
    """The typed ids, as text (build_request splits it)."""
    return {"samples_text": remembered(st.text_area, "Sample ids or row numbers (comma or line separated)",
                                       "forget.samples", "")}
