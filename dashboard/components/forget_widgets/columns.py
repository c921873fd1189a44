"""Inputs that name a column and class code(s) of it: the generic column/value pickers (an attribute,
a pattern, any kind without a widget of its own), several classes for ``class``, and a value plus a
share for ``class_subset``."""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.data.table import ImageTable
from dashboard.components.forget_widgets.base import FORGET_WIDGETS, remembered

DEFAULT_COLUMN = "Eyeglasses"  # what the generic pickers start on where the dataset has it


def _column(kind: str, table: ImageTable, default: str | None = None) -> str:
    """The Column picker (kept per kind), starting on ``default`` where the table has it, else the first."""
    columns = list(table.columns)
    return remembered(st.selectbox, "Column", f"forget.{kind}.column", default if default in columns else columns[0],
                      columns)


def _value(kind: str, table: ImageTable, column: str) -> int:
    """The Value picker: one class code of ``column``, shown by its class name (kept per kind and column)."""
    classes = table.classes[column]
    codes = list(range(len(classes)))
    return remembered(st.selectbox, "Value", f"forget.{kind}.value.{column}", min(1, len(codes) - 1), codes,
                      format_func=lambda v: classes[v])


def column_value(kind: str, table: ImageTable) -> dict[str, Any]:
    """A column and one value of it: the inputs of every kind without a widget of its own."""
    column = _column(kind, table, DEFAULT_COLUMN)
    return {"column": column, "value": _value(kind, table, column)}


@FORGET_WIDGETS.register("class")
def classes(kind: str, table: ImageTable) -> dict[str, Any]:
    """A column and one or more of its classes."""
    column = _column(kind, table)
    names = table.classes[column]
    codes = list(range(len(names)))
    values = remembered(st.multiselect, "Classes", f"forget.{kind}.values.{column}", codes[:1], codes,
                        format_func=lambda v: names[v])
    return {"column": column, "values": values}


@FORGET_WIDGETS.register("class_subset")
def class_part(kind: str, table: ImageTable) -> dict[str, Any]:
    """A column, one class of it and the share of that class's training images to forget."""
    column = _column(kind, table)
    value = _value(kind, table, column)
    fraction = remembered(st.slider, "Part of the class to forget", "forget.fraction", 0.3,
                          min_value=0.05, max_value=0.95, step=0.05)
    return {"column": column, "value": value, "fraction": fraction}
