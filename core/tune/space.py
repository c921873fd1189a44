"""The search space of a method: the ranges its Params dataclass declares with ``param(search=...)``.

A field declares ``search=(lo, hi, "log" | "linear" | "int")`` or a list of choices. Only declared
fields are tuned; the others keep their defaults (or the user's values). The ranges live beside the
parameters so a new method brings its own; :func:`space_problems` is what the conformance test
checks (every range inside the field's ``min``/``max``, of the field's type).
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

KINDS = ("log", "linear", "int")


def search_space(params_cls: type, fixed: dict | None = None) -> dict[str, Any]:
    """``{field: search spec}`` for the declared fields of ``params_cls``, minus those in ``fixed``."""
    fixed = fixed or {}
    return {f.name: f.metadata["search"] for f in dataclasses.fields(params_cls)
            if f.metadata.get("search") is not None and f.name not in fixed}


def suggest(trial, params_cls: type, fixed: dict | None = None) -> dict[str, Any]:
    """The trial's setting: one Optuna suggestion per declared field, the ``fixed`` values on top."""
    out: dict[str, Any] = {}
    for name, spec in search_space(params_cls, fixed).items():
        if isinstance(spec, list):
            out[name] = trial.suggest_categorical(name, spec)
            continue
        lo, hi, kind = spec
        if kind == "int":
            out[name] = trial.suggest_int(name, int(lo), int(hi))
        else:
            out[name] = trial.suggest_float(name, float(lo), float(hi), log=kind == "log")
    return {**out, **(fixed or {})}


def defaults_in_space(params_cls: type, fixed: dict | None = None) -> dict[str, Any]:
    """The defaults of the tuned fields: the first trial of a study, so the tune always compares with them."""
    space = search_space(params_cls, fixed)
    return {f.name: f.default for f in dataclasses.fields(params_cls) if f.name in space}


def space_problems(params_cls: type) -> list[str]:
    """What is wrong with the declared ranges (empty when they are sound): a range outside the field's
    bounds, reversed, of an unknown kind, a log range from 0, an int range on a float field, or a
    default the range cannot reach (the study's first trial is the defaults)."""
    hints = typing.get_type_hints(params_cls)
    problems = []
    for f in dataclasses.fields(params_cls):
        spec = f.metadata.get("search")
        if spec is None:
            continue
        where = f"{params_cls.__name__}.{f.name}"
        if isinstance(spec, list):
            if not spec:
                problems.append(f"{where}: an empty list of choices")
            continue
        if not (isinstance(spec, tuple) and len(spec) == 3 and spec[2] in KINDS):
            problems.append(f"{where}: search={spec!r}; give (lo, hi, one of {', '.join(KINDS)}) or a list of choices")
            continue
        lo, hi, kind = spec
        lo_bound, hi_bound = f.metadata.get("min"), f.metadata.get("max")
        if not lo < hi:
            problems.append(f"{where}: search range {lo}..{hi} is empty or reversed")
        if lo_bound is not None and lo < lo_bound or hi_bound is not None and hi > hi_bound:
            problems.append(f"{where}: search range {lo}..{hi} leaves the field's bounds {lo_bound}..{hi_bound}")
        if kind == "log" and lo <= 0:
            problems.append(f"{where}: a log range must start above 0, not {lo}")
        if (kind == "int") != (hints.get(f.name) is int):
            problems.append(f"{where}: kind {kind!r} does not fit a field of type {hints.get(f.name)}")
        if not lo <= f.default <= hi:
            problems.append(f"{where}: the default {f.default} lies outside the search range {lo}..{hi}")
    return problems
