"""A loaded dataset at a glance, as pure builders: facts, per-column balance and images per identity."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import torch

from core.data.table import ImageTable

BAR_COLOR = "#4c78a8"


def table_facts(table: ImageTable) -> dict[str, str]:
    """Images, people, image shape, label columns, ground-truth masks and the unreadable images left
    out (their count, and a line naming the first few: "" when none), as short texts."""
    c, h, w = table.image_shape
    people = "–" if table.identity is None else str(int(table.identity.unique().numel()))
    return {"images": str(len(table)), "people": people, "image": f"{w}×{h} px, {c} channel{'s' if c > 1 else ''}",
            "columns": str(len(table.columns)), "masks": ", ".join(table.masks) or "none",
            "skipped": str(len(table.skipped)), "skipped_note": table.skipped_summary()}


def balance_counts(table: ImageTable, column: str) -> pd.DataFrame:
    """How many images take each value of ``column`` (every class listed, zeros included)."""
    codes = table.column(column)
    classes = table.classes[column]
    counts = torch.bincount(codes.long().clamp(min=0), minlength=len(classes))[: len(classes)]
    total = max(1, len(codes))
    return pd.DataFrame({"value": [str(c) for c in classes], "images": counts.tolist(),
                         "share": [n / total for n in counts.tolist()]})


def balance_chart(table: ImageTable, column: str) -> go.Figure:
    frame = balance_counts(table, column)
    fig = go.Figure(go.Bar(x=frame["value"], y=frame["images"], marker_color=BAR_COLOR, meta=column,
                           text=[f"{s:.0%}" for s in frame["share"]], textposition="outside"))
    fig.update_layout(height=280, margin={"l": 10, "r": 10, "t": 30, "b": 10}, title_text=column)
    fig.update_yaxes(title_text="images")
    return fig


def identity_counts(table: ImageTable) -> pd.DataFrame:
    """Images per identity, most photographed first; empty when the table has no identities."""
    if table.identity is None:
        return pd.DataFrame(columns=["identity", "images"])
    ids, counts = table.identity.unique(return_counts=True)
    frame = pd.DataFrame({"identity": ids.tolist(), "images": counts.tolist()})
    return frame.sort_values(["images", "identity"], ascending=[False, True], ignore_index=True)


def identity_chart(table: ImageTable) -> go.Figure:
    """How many people have 1, 2, ... images: the spread of images per person."""
    frame = identity_counts(table)
    spread = frame["images"].value_counts().sort_index()
    fig = go.Figure(go.Bar(x=spread.index.tolist(), y=spread.tolist(), marker_color=BAR_COLOR))
    fig.update_layout(height=260, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_xaxes(title_text="images per person")
    fig.update_yaxes(title_text="people")
    return fig
