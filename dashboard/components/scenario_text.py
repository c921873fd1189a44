"""A scenario config in plain words, for the form header and a run's details."""

from __future__ import annotations

from typing import Any


def forget_text(forget: dict[str, Any]) -> str:
    """Plain words for what to forget: "people 4, 17 (every image of each)" where the kind's unit is a
    person (the title names them), else its label and title: "An attribute (e.g. glasses): Eyeglasses"."""
    from core.data.forget import ForgetRequest, find_kind, kind_label

    request = ForgetRequest(**forget)
    declared = find_kind(request.kind)
    if declared and declared.unit == "person":
        return f"{request.title()} (every image of each)"
    return f"{kind_label(request.kind)}: {request.title()}"


def scenario_summary(config: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, text) pairs: dataset, task, model, what to forget, method, training."""
    ds = config.get("dataset", {}) or {}
    opts = ds.get("options", {}) or {}
    data = ds.get("name", "?")
    if "n_identities" in opts:
        data += f" — {opts['n_identities']} people × {opts.get('images_per_identity', '?')} images"
    if "size" in opts:
        data += f", {opts['size']} px"
    what = forget_text(config.get("forget", {}) or {})
    task = config.get("task", "?")
    train = config.get("train", {}) or {}
    method = config.get("method", {}) or {}
    params = ", ".join(f"{k}={v}" for k, v in (method.get("params") or {}).items())
    return [
        ("Dataset", data),
        ("Task", ", ".join(task) if isinstance(task, list) else str(task)),
        ("Model", str(config.get("model", "?"))),
        ("Forget", what),
        ("Method", method.get("name", "?") + (f" ({params})" if params else "")),
        ("Training", f"{train.get('epochs', '?')} epochs, lr {train.get('lr', '?')}, batch {train.get('batch_size', '?')}"),
    ]
