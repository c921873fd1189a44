"""The one labelled metric table (run panel, Audit, Compare): each metric column titled in words with its
meaning as the tooltip (``glossary.metric_label`` / ``METRIC_NOTES``, from the metrics' declarations),
counts as whole numbers, each ``"<metric> 95%"`` bootstrap interval beside its metric, the model column
pinned, and, in teaching mode, a line per metric under the table."""

from __future__ import annotations

from typing import Iterable

import pandas as pd
import streamlit as st

from dashboard.components.glossary import INTERVAL_NOTE, METRIC_NOTES, metric_label
from dashboard.components.tables import CI_SUFFIX, column_format
from dashboard.components.teaching import explain

HIDDEN = ("role",)  # the model name says it


def lead_with(table: pd.DataFrame, first: Iterable[str], before: Iterable[str] = ("model", "role")) -> pd.DataFrame:
    """The table with the ``before`` columns, then the ``first`` metrics (with their intervals), then the rest."""
    before = [c for c in before if c in table.columns]
    lead = [c for m in first for c in (m, f"{m}{CI_SUFFIX}") if c in table.columns and c not in before]
    return table[before + lead + [c for c in table.columns if c not in (*before, *lead)]]


def metric_columns(table: pd.DataFrame, text: dict[str, str]) -> dict:
    """Column configs: ``text`` columns (name -> title) as text, intervals as text, the rest as metrics."""
    config: dict = {}
    for c in table.columns:
        if c in text:
            config[c] = st.column_config.TextColumn(text[c])
        elif c.endswith(CI_SUFFIX):
            config[c] = st.column_config.TextColumn(f"{metric_label(c[:-len(CI_SUFFIX)])}{CI_SUFFIX}", help=INTERVAL_NOTE)
        else:
            config[c] = st.column_config.NumberColumn(metric_label(c), help=METRIC_NOTES.get(c), format=column_format(c))
    return config


def metric_table(table: pd.DataFrame, key: str, caption: str = "", label_column: str = "model",
                 text: dict[str, str] | None = None, hidden: Iterable[str] = HIDDEN, lead: Iterable[str] = ()) -> None:
    """Draw ``table`` (one row per model, one column per metric, as ``tables.results_table`` makes it):
    ``label_column`` pinned as "Model", ``text`` columns titled as given, ``hidden`` ones left out, the
    ``lead`` metrics first; the caption (plus what a 95% column is, when there is one) and, in teaching
    mode, each metric's meaning."""
    table = lead_with(table, lead, before=(label_column, *hidden))
    config = metric_columns(table, {label_column: "Model", **(text or {})})
    config[label_column] = st.column_config.TextColumn("Model", pinned=True)  # stays in view when the table scrolls
    config.update({c: None for c in hidden if c in table.columns})
    st.dataframe(table, hide_index=True, column_config=config, key=key)
    intervals = any(c.endswith(CI_SUFFIX) for c in table.columns)
    note = " ".join(t for t in (caption, INTERVAL_NOTE if intervals else "") if t)
    if note:
        st.caption(note)
    for name in (c for c in table.columns if c in METRIC_NOTES):
        explain(f"**{metric_label(name)}:** {METRIC_NOTES[name]}")
