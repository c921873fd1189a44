"""What a forget kind is: one :class:`ForgetKind` declaration per kind, registered in ``FORGET_KINDS``.

A declaration holds every fact about its kind, so the engine (selection, titles, the bootstrap's
unit), ``unlearn list`` and the dashboard (labels, help, which request fields its form fills, why an
unfinished request selects nothing) all read the one place. A kind is one file that builds its
declaration and calls :func:`register_kind`; the conformance test checks each has all it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

import torch

from core.data.table import ImageTable
from core.registry import Registry

# The request is a ForgetRequest (core.data.forget.request); that module reads this registry for its
# title, so it is not imported back here.
Selector = Callable[[ImageTable, torch.Tensor, Any, torch.Generator], torch.Tensor]
Words = Callable[[Any], str]


@dataclass(frozen=True)
class ForgetKind:
    """Everything about one kind of forget request.

    ``select(table, train, request, generator)`` is the bool mask over ``train`` of the forget set;
    ``title(request)`` says what is forgotten ("people 4, 17"); ``fields`` are the ForgetRequest fields
    the kind reads (a form fills only those); ``empty_reason(request)`` says why a request not yet filled
    in selects nothing (None: it always selects something, or its error says why); ``unit`` is what
    the bootstrap resamples: a ``"person"`` (every image of one together) or an ``"image"``.
    """

    name: str
    label: str  # a person's words for the kind, on forms and in titles: "Part of a class"
    help: str  # one sentence under the form's kind picker
    description: str  # one line for `unlearn list`
    select: Selector
    title: Words
    fields: tuple[str, ...]
    unit: Literal["person", "image"]
    empty_reason: Callable[[Any], str | None] | None = None


FORGET_KINDS: Registry[ForgetKind] = Registry("forget kind")


def register_kind(kind: ForgetKind) -> ForgetKind:
    """Register ``kind`` under its name (a duplicate name is a programming error)."""
    return FORGET_KINDS.add(kind.name, kind, kind.description)


def find_kind(name: str) -> ForgetKind | None:
    """The declaration of ``name``, or None when no file registers it (an old run's kind, say)."""
    return FORGET_KINDS.get(name) if name in FORGET_KINDS else None


def kind_label(kind: str) -> str:
    """The human label of a forget kind ("Part of a class" for class_subset); its name, spaced, if none."""
    declared = find_kind(kind)
    return declared.label if declared else kind.replace("_", " ").capitalize()


def label_title(request: Any) -> str:
    """A title from the kind's label and the column it names: "a visual pattern (...) (Eyeglasses)";
    also the words for a kind that no file registers."""
    return kind_label(request.kind).lower() + (f" ({request.column})" if request.column else "")
