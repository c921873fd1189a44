"""Every registered forget kind declares all a kind needs, and the Forget page draws it.

Parametrised over ``FORGET_KINDS`` (``pattern`` included, registered by its method), so a kind added
later is held to the same contract: a label and a help line in words, a one-line description for
``unlearn list``, a bootstrap ``unit`` of "person" or "image", a non-member rule for the membership
attacks (``core.metrics.nonmembers``), request ``fields`` that exist and that the form can fill, a
title for a sample request, an ``empty_reason`` that flags the empty request only, and the Forget
page rendering with the kind chosen. :func:`problems` is checked itself on a kind lacking each.
"""

from __future__ import annotations

import dataclasses

import pytest
import torch

import core.methods  # noqa: F401  (methods register kinds of their own: pattern)
from core.data.forget import FORGET_KINDS, ForgetKind, ForgetRequest
from core.metrics.nonmembers import NONMEMBER_RULES
from dashboard.components.forget_request import FORM_FIELDS
from dashboard.components.forget_widgets import FORGET_WIDGETS
from tests.dashboard.test_forget_page import forget_page
from tests.dashboard.test_pages import texts

UNITS = ("person", "image")
REQUEST_FIELDS = {f.name for f in dataclasses.fields(ForgetRequest)} - {"kind"}
# A value for every request field; a kind's sample request takes the fields it declares.
SAMPLE = {"identities": [4, 17], "samples": ["3", "7"], "column": "Eyeglasses", "value": 1, "values": [1],
          "count": 2, "fraction": 0.3}


def sample_request(kind: ForgetKind) -> ForgetRequest:
    """A filled-in request of ``kind``: its declared fields from SAMPLE."""
    return ForgetRequest(kind=kind.name, **{f: SAMPLE[f] for f in kind.fields if f in SAMPLE})


def _title_problem(kind: ForgetKind) -> str | None:
    try:
        title = kind.title(sample_request(kind))
    except Exception as exc:  # noqa: BLE001  (any failure is the problem reported)
        return f"no title for a sample request ({type(exc).__name__}: {exc})"
    return None if isinstance(title, str) and title.strip() else f"an empty title for a sample request: {title!r}"


def _empty_reason_problem(kind: ForgetKind) -> str | None:
    if kind.empty_reason is None:
        return None
    if kind.empty_reason(sample_request(kind)) is not None:
        return "empty_reason flags a filled-in request"
    if not kind.empty_reason(ForgetRequest(kind=kind.name)):
        return "empty_reason says nothing about the empty request (declare None if it always selects)"
    return None


def problems(kind: ForgetKind) -> list[str]:
    """What ``kind``'s declaration lacks, in words (empty when complete)."""
    out = [f"no {name}" for name in ("label", "help", "description") if not getattr(kind, name).strip()]
    if kind.unit not in UNITS:
        out.append(f"unit {kind.unit!r} is not one of {UNITS}")
    if kind.name not in NONMEMBER_RULES:
        out.append("no non-member rule in core.metrics.nonmembers.NONMEMBER_RULES")
    if not callable(kind.select):
        out.append("no select function")
    if not kind.fields or not set(kind.fields) <= REQUEST_FIELDS:
        out.append(f"fields {kind.fields} are not ForgetRequest fields ({sorted(REQUEST_FIELDS)})")
    elif not set(kind.fields) <= set(FORM_FIELDS):
        out.append(f"fields {sorted(set(kind.fields) - set(FORM_FIELDS))} have no reader in forget_request.FORM_FIELDS")
    return out + [p for p in (_title_problem(kind), _empty_reason_problem(kind)) if p]


@pytest.mark.parametrize("name", FORGET_KINDS.names())
def test_kind_declares_everything(name):
    assert problems(FORGET_KINDS.get(name)) == []


def test_an_incomplete_kind_is_caught():
    def select(table, train, req, gen):
        return torch.zeros(len(train), dtype=torch.bool)

    broken = ForgetKind(name="no_such_kind", label=" ", help="", description="", select=select,
                        title=lambda req: "", fields=("colour",), unit="people",  # type: ignore[arg-type]
                        empty_reason=lambda req: None)
    found = problems(broken)
    for words in ("no label", "no help", "no description", "unit 'people'", "non-member rule", "fields ('colour',)",
                  "empty title", "empty request"):
        assert any(words in p for p in found), (words, found)
    unreadable = dataclasses.replace(FORGET_KINDS.get("class"), fields=("column", "kind"))
    assert any("not ForgetRequest fields" in p for p in problems(unreadable))


def test_every_widget_draws_a_registered_kind():
    assert set(FORGET_WIDGETS.names()) <= set(FORGET_KINDS.names())


@pytest.mark.parametrize("name", FORGET_KINDS.names())
def test_forget_page_renders_with_the_kind_chosen(name):
    at = forget_page()
    at.radio(key="forget.kind").set_value(name).run()
    assert not at.exception, at.exception
    assert at.radio(key="forget.kind").value == name
    assert FORGET_KINDS.get(name).help in texts(at, "caption")
    assert at.button(key="forget.launch") is not None  # the page ran to its launch block
