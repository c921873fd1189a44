"""Audit sections that methods own: ``@audit_section("tmu", title=...)`` beside the method.

A section is a function of a run's :class:`core.artifacts.RunArtifacts` that returns plain items —
headings, captions, tables as rows, image files, plotly figures, a choice between figures — or ``[]``
when the run has nothing of it (another method's run). The Audit page, the Filter groups page
(``dashboard/components/audit_section.py``) and the HTML report (``core/report/sections.py``) each
render the same items with one small renderer, so a method adds its audit in its own package and no
page names a method.

Sections are registered in :data:`AUDIT_SECTIONS` under their method's registered name (``<method>.<part>``
when a method has several); they render in name order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from core.registry import Registry


@dataclass(frozen=True)
class Heading:
    """A heading inside a section."""

    text: str


@dataclass(frozen=True)
class Text:
    """A line of text: ``caption`` always shown, ``teach`` in teaching mode (always in the report),
    ``warning`` for something missing or failed."""

    text: str
    kind: str = "caption"


@dataclass(frozen=True)
class Table:
    """A table as rows of column -> value (numbers stay numbers)."""

    rows: list[dict]
    key: str = ""


@dataclass(frozen=True)
class Image:
    """An image file of the run folder with its caption."""

    path: Path
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    """A plotly figure. ``legend_below``/``spaced_ticks`` ask the page for its projector layout."""

    figure: Any
    key: str = ""
    caption: str = ""
    legend_below: bool = False
    spaced_ticks: bool = False


@dataclass(frozen=True)
class Choice:
    """One of several figures, picked by a control on the page (the report shows ``default``).

    ``options`` maps an option to its :class:`Figure`; ``labels`` names options for a person."""

    label: str
    key: str
    options: dict[str, Figure]
    default: str
    labels: dict[str, str] = field(default_factory=dict)


Item = Heading | Text | Table | Image | Figure | Choice
Build = Callable[[Any], list]


@dataclass(frozen=True)
class AuditSection:
    """A registered section: its owning method, title and builder."""

    name: str
    method: str
    title: str
    build: Build


AUDIT_SECTIONS: Registry[AuditSection] = Registry("audit section")


def audit_section(method: str, title: str, part: str = "") -> Callable[[Build], Build]:
    """Register ``build`` as an audit section of ``method`` (its registered name) titled ``title``;
    ``part`` names it among the method's sections."""
    name = f"{method}.{part}" if part else method

    def wrap(build: Build) -> Build:
        AUDIT_SECTIONS.add(name, AuditSection(name, method, title, build), build.__doc__ or title)
        return build

    return wrap


def run_sections(artifacts, method: str | None = None) -> list[tuple[AuditSection, list]]:
    """The registered sections (only ``method``'s when given) that have something for this run, with
    their items, in name order."""
    out = []
    for entry in AUDIT_SECTIONS.entries():
        section = entry.obj
        if method is None or section.method == method:
            items = section.build(artifacts)
            if items:
                out.append((section, items))
    return out


def image_paths(sections: list[tuple[AuditSection, list]]) -> set[Path]:
    """The resolved files the sections' :class:`Image` items show (so "other figures" leaves them out)."""
    return {item.path.resolve() for _, items in sections for item in items if isinstance(item, Image)}
