"""A Streamlit form built from any hyper-parameter dataclass (``core.params.describe_params``).

A new method gets its form for free: numbers become number inputs with the field's min/max and
help, booleans checkboxes, choices and Literals select boxes (lists with choices multi-selects), strings text inputs, and lists or
dicts JSON text. :func:`widget_spec` is the pure part (tested without Streamlit).
"""

from __future__ import annotations

import json
import math
import typing
from typing import Any

from core.params import describe_params


def _number_step(default: float, lo: float | None, hi: float | None) -> float:
    """A step of the order of the default (lr 1e-3 steps by 1e-4), else a hundredth of the range."""
    if default:
        return 10.0 ** (math.floor(math.log10(abs(default))) - 1)
    if lo is not None and hi is not None and hi > lo:
        return 10.0 ** math.floor(math.log10((hi - lo) / 100))
    return 0.01


def widget_spec(desc: dict) -> tuple[str, dict[str, Any]]:
    """The widget kind (number, checkbox, select, multiselect, text, json) and its keyword arguments for one field."""
    kind_type, default = desc["type"], desc["default"]
    base = {"label": desc["name"], "help": desc["help"] or None}
    choices = desc.get("choices") or (typing.get_args(kind_type) if typing.get_origin(kind_type) is typing.Literal else None)
    if choices and typing.get_origin(kind_type) is list:
        return "multiselect", {**base, "options": list(choices), "default": list(default)}
    if choices:
        choices = list(choices)
        return "select", {**base, "options": choices, "index": choices.index(default) if default in choices else 0}
    if kind_type is bool:
        return "checkbox", {**base, "value": bool(default)}
    if kind_type in (int, float):
        lo, hi = desc.get("min"), desc.get("max")
        if kind_type is int:
            return "number", {**base, "value": int(default), "step": 1,
                              "min_value": None if lo is None else int(lo), "max_value": None if hi is None else int(hi)}
        return "number", {**base, "value": float(default), "step": _number_step(float(default), lo, hi), "format": "%g",
                          "min_value": None if lo is None else float(lo), "max_value": None if hi is None else float(hi)}
    if kind_type is str:
        return "text", {**base, "value": str(default)}
    return "json", {**base, "value": json.dumps(default)}


def param_inputs(cls: type, key: str) -> dict[str, Any]:
    """Draw one input per field of ``cls`` and return the values (JSON text parsed; bad JSON kept as text
    so that ``build_params`` names the field in its error)."""
    import streamlit as st

    widgets = {"number": st.number_input, "checkbox": st.checkbox, "select": st.selectbox, "multiselect": st.multiselect,
               "text": st.text_input, "json": st.text_input}
    values: dict[str, Any] = {}
    for desc in describe_params(cls):
        kind, kwargs = widget_spec(desc)
        value = widgets[kind](key=f"{key}.{desc['name']}", **kwargs)
        values[desc["name"]] = _parse_json(value) if kind == "json" else value
    return values


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
