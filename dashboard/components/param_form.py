"""A Streamlit form built from any hyper-parameter dataclass (``core.params.describe_params``).

A new method gets its form for free: numbers become number inputs with the field's min/max and
help, booleans checkboxes, choices and Literals select boxes (lists with choices multi-selects), strings
text inputs, plain lists comma-separated text ("none" when empty, never ``[]``) and dicts JSON text.
Each field is labelled in words ("λ1", "Kernel weight", "Learning rate"), its help (what it does, the
paper's value, units) is the tooltip and, in teaching mode, a line under it. :func:`widget_spec` is
the pure part (tested without Streamlit).
"""

from __future__ import annotations

import json
import math
import re
import typing
from typing import Any

from core.params import describe_params

WORDS = {"lr": "learning rate", "n": "number of", "k": "k", "eps": "ε", "mlp": "MLP", "nf": "NF", "af": "AF", "cf": "CF", "ce": "CE",
         "kl": "KL", "id": "id"}
GREEK = {"lambda": "λ", "gamma": "γ", "alpha": "α", "beta": "β"}


def field_label(name: str) -> str:
    """A field's name in words: lambda1 -> λ1, kernel_weight -> Kernel weight, lr -> Learning rate."""
    m = re.fullmatch(r"(lambda|gamma|alpha|beta)(\d*)", name)
    if m:
        return GREEK[m.group(1)] + m.group(2)
    words = [WORDS.get(w, w) for w in name.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _number_step(default: float, lo: float | None, hi: float | None) -> float:
    """A step of the order of the default (lr 1e-3 steps by 1e-4), else a hundredth of the range."""
    if default:
        return 10.0 ** (math.floor(math.log10(abs(default))) - 1)
    if lo is not None and hi is not None and hi > lo:
        return 10.0 ** math.floor(math.log10((hi - lo) / 100))
    return 0.01


def _is_plain_list(kind_type: Any) -> bool:
    if kind_type is list:
        return True
    args = typing.get_args(kind_type)
    return typing.get_origin(kind_type) is list and (not args or args[0] in (str, int, float))


def widget_spec(desc: dict) -> tuple[str, dict[str, Any]]:
    """The widget kind (number, checkbox, select, multiselect, text, list, json) and its keyword arguments for one field."""
    kind_type, default = desc["type"], desc["default"]
    base = {"label": field_label(desc["name"]), "help": desc["help"] or None}
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
    if _is_plain_list(kind_type):
        return "list", {**base, "value": ", ".join(map(str, default)), "placeholder": "none (comma-separated values)"}
    return "json", {**base, "value": json.dumps(default)}


def parse_list(text: str) -> list[str]:
    """Comma- or line-separated text as a list of its items (build_params converts each to the field's type)."""
    return [s.strip() for s in str(text).replace("\n", ",").split(",") if s.strip()]


def param_inputs(cls: type, key: str) -> dict[str, Any]:
    """Draw one input per field of ``cls`` and return the values (JSON text parsed; bad JSON kept as text
    so that ``build_params`` names the field in its error)."""
    import streamlit as st

    from dashboard.components.teaching import explain

    widgets = {"number": st.number_input, "checkbox": st.checkbox, "select": st.selectbox, "multiselect": st.multiselect,
               "text": st.text_input, "list": st.text_input, "json": st.text_input}
    values: dict[str, Any] = {}
    for desc in describe_params(cls):
        kind, kwargs = widget_spec(desc)
        value = widgets[kind](key=f"{key}.{desc['name']}", **kwargs)
        values[desc["name"]] = {"json": _parse_json, "list": parse_list}.get(kind, lambda v: v)(value)
        explain(f"**{kwargs['label']}:** {desc['help']}" if desc["help"] else "")
    return values


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text
