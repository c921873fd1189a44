"""Fixed parameter values given as text (``unlearn tune --param``, ``bench tuned``'s ``fix``), typed by the method.

Its own module because both the tune command and the tuned bench read such values: neither imports
the other's command-line module for it.
"""

from __future__ import annotations


def typed_params(method: str, fixed: dict) -> dict:
    """``fixed``'s values typed by the method's Params (a wrong key or value is refused by name)."""
    import dataclasses

    from core.methods import METHODS
    from core.params import build_params

    params = build_params(METHODS.get(method).Params, fixed, where="--param")
    return {k: getattr(params, k) for k in fixed} if dataclasses.is_dataclass(params) else fixed
