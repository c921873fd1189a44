"""Draws a method's audit section (``core.methods.audit_sections``) in Streamlit: the one renderer the
Audit and Filter groups pages share, so a page never names a method."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.methods.audit_sections import AuditSection, Choice, Figure, Heading, Image, Table, Text, run_sections
from dashboard.figures.figure_layout import PLOT_CONFIG, legend_below, spaced_ticks
from dashboard.components.teaching import explain


def audit_sections(artifacts, key: str, method: str | None = None,
                   titled: bool = True) -> list[tuple[AuditSection, list]]:
    """Every registered section with something for this run (``method``'s only, when given), each under its
    title (``titled``) or with its headings as the page's sub-headings; returns the sections drawn."""
    drawn = run_sections(artifacts, method)
    for section, items in drawn:
        if titled:
            st.subheader(section.title)
        for i, item in enumerate(items):
            draw_item(item, f"{key}.{item_key(item, i)}", titled)
    return drawn


def item_key(item, index: int) -> str:
    """The widget key of an item: its own ``key`` when it names one, else its place in the section."""
    return getattr(item, "key", "") or f"item{index}"


def draw_item(item, key: str, titled: bool = True) -> None:
    """One item: a heading, a caption (or teaching line, or warning), a table, an image, a figure or a choice."""
    if isinstance(item, Heading) and titled:
        st.markdown(f"**{item.text}**")
    elif isinstance(item, Heading):
        st.subheader(item.text)
    elif isinstance(item, Text):
        {"teach": explain, "warning": st.warning}.get(item.kind, st.caption)(item.text)
    elif isinstance(item, Table):
        st.dataframe(pd.DataFrame(item.rows), hide_index=True, key=key)
    elif isinstance(item, Image):
        st.image(str(item.path), caption=item.caption or None, width="stretch")
    elif isinstance(item, Figure):
        draw_figure(item, key)
    elif isinstance(item, Choice):
        draw_choice(item, key)


def draw_figure(item: Figure, key: str) -> None:
    fig = item.figure
    if item.spaced_ticks:
        fig = spaced_ticks(fig)
    if item.legend_below:
        fig = legend_below(fig)
    st.plotly_chart(fig, key=key, config=PLOT_CONFIG)
    if item.caption:
        st.caption(item.caption)


def draw_choice(item: Choice, key: str) -> None:
    """A segmented control over the options (none when there is only one), then the chosen figure."""
    chosen = item.default
    if len(item.options) > 1:
        chosen = st.segmented_control(item.label, list(item.options), default=item.default, key=key,
                                      format_func=lambda o: item.labels.get(o, o)) or item.default
    figure = item.options[chosen]
    draw_figure(figure, f"{key.rpartition('.')[0]}.{figure.key or 'chart'}")
