"""Hyper-parameter and option dataclasses built from plain dicts, with clear errors.

Methods, datasets and models describe their settings as dataclasses (defaults from the papers, a
``help`` string in each field's metadata). This turns a user's dict into one, naming the field and
the allowed keys when something is wrong; the dashboard builds its forms from the same fields.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from typing import Any


class ParamError(ValueError):
    """A setting that is unknown, of the wrong type or out of range."""


def field_help(f: dataclasses.Field) -> str:
    return str(f.metadata.get("help", ""))


def param(default: Any, help: str = "", search: Any = None, **meta: Any) -> Any:
    """A dataclass field with a default and a one-line help (shown in forms and ``--help``).

    ``search`` declares the range ``unlearn tune`` explores for this setting (core/tune/space.py):
    ``(lo, hi, "log" | "linear" | "int")`` or a list of choices; fields without one are not tuned."""
    if search is not None:
        meta["search"] = search
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata={"help": help, **meta})
    return dataclasses.field(default=default, metadata={"help": help, **meta})


def _coerce(value: Any, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation is typing.Any or annotation is None:
        return value
    if origin is typing.Union or (origin is not None and str(origin) == "<class 'types.UnionType'>"):
        if value is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, where)
            except ParamError:
                continue
        raise ParamError(f"{where}: {value!r} is not a valid {annotation}")
    if origin is typing.Literal:
        if value not in args:
            raise ParamError(f"{where}: {value!r} is not allowed; allowed: {', '.join(map(str, args))}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            value = [value]
        inner = args[0] if args else typing.Any
        items = [_coerce(v, inner, where) for v in value]
        return items if origin is list else tuple(items)
    if annotation is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false", "1", "0", "yes", "no"):
            return value.lower() in ("true", "1", "yes")
        raise ParamError(f"{where}: {value!r} is not a boolean")
    if annotation in (int, float):
        if isinstance(value, bool):
            raise ParamError(f"{where}: {value!r} is not a number")
        try:
            number = annotation(value)
        except (TypeError, ValueError, OverflowError):
            raise ParamError(f"{where}: {value!r} is not a valid {annotation.__name__}") from None
        if not math.isfinite(number):  # NaN slips past every min/max comparison; inf is never a setting
            raise ParamError(f"{where}: {value!r} is not a finite number")
        if annotation is int and isinstance(value, float) and not value.is_integer():
            raise ParamError(f"{where}: {value!r} is not a whole number")
        return number
    if annotation is str:
        if isinstance(value, (list, tuple, dict, set)) or value is None or isinstance(value, bool):
            raise ParamError(f"{where}: {value!r} is not text; give a string")
        return str(value)
    return value


def build_params(cls: type, values: dict | None, where: str = "params") -> Any:
    """An instance of dataclass ``cls`` from ``values``; unknown keys and bad values raise."""
    values = dict(values or {})
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ParamError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(fields) or '(none)'}")
    hints = typing.get_type_hints(cls)
    kwargs = {k: _coerce(v, hints.get(k, typing.Any), f"{where}.{k}") for k, v in values.items()}
    try:
        params = cls(**kwargs)
    except (TypeError, ValueError) as exc:  # a __post_init__ check may already name the field
        message = str(exc)
        raise ParamError(message if message.startswith(f"{where}.") else f"{where}: {message}") from None
    _check_bounds(params, fields, where)
    return params


def _check_bounds(params: Any, fields: dict, where: str) -> None:
    """Fields may declare ``min``/``max`` in metadata; values outside raise a ParamError."""
    for name, f in fields.items():
        value = getattr(params, name)
        lo, hi = f.metadata.get("min"), f.metadata.get("max")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                raise ParamError(f"{where}.{name}: {value} is not a finite number")
            if lo is not None and value < lo:
                raise ParamError(f"{where}.{name}: {value} is below the minimum {lo}")
            if hi is not None and value > hi:
                raise ParamError(f"{where}.{name}: {value} is above the maximum {hi}")


def describe_params(cls: type) -> list[dict]:
    """Each field's name, type, default and help: what a form or a ``--help`` needs."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        out.append({
            "name": f.name, "type": hints.get(f.name), "default": default, "help": field_help(f),
            "min": f.metadata.get("min"), "max": f.metadata.get("max"), "choices": f.metadata.get("choices"),
            "search": f.metadata.get("search"),
        })
    return out
