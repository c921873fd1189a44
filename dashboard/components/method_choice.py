"""Which methods a forget request can use: the method picker offers only those whose declared
``kinds`` (``core.methods.base.Method.kinds``) include the request's kind, and lists the others as
"not for this kind" with the kinds they are for, so a user cannot walk into a run that fails."""

from __future__ import annotations

from dataclasses import dataclass

from core.data.forget import kind_label
from core.methods import METHODS


@dataclass(frozen=True)
class MethodOption:
    name: str
    description: str
    reason: str  # "" when the method applies to the kind; else why not, in words


def method_options(kind: str) -> tuple[list[MethodOption], list[MethodOption]]:
    """(methods for ``kind``, methods not for it with why), each in the registry's order."""
    ok, other = [], []
    for entry in METHODS.entries():
        kinds = entry.obj.kinds
        if kinds is None or kind in kinds:
            ok.append(MethodOption(entry.name, entry.description, ""))
        else:
            wanted = " or ".join(kind_label(k).lower() for k in kinds)
            other.append(MethodOption(entry.name, entry.description, f"it unlearns {wanted}, not {kind_label(kind).lower()}"))
    return ok, other


def method_picker(kind: str, key: str, default: str = "finetune", **selectbox_args) -> str:
    """A select box of the methods that work for ``kind``, and an expander naming the others and why."""
    import streamlit as st

    from dashboard.components.kept_state import keep, remember

    ok, other = method_options(kind)
    names = [o.name for o in ok]
    by_name = {o.name: o for o in ok}
    remember(key, default if default in by_name else names[0], names)  # kept across kinds and pages
    method = st.selectbox("Unlearning method", names, key=key, **selectbox_args)
    keep(key)
    st.caption(by_name[method].description)
    if other:
        with st.expander(f"{len(other)} methods not for this kind of request"):
            st.markdown("\n".join(f"- **{o.name}**: {o.reason}." for o in other))
    return method
