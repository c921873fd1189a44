"""Figures and galleries for TMU's audit, built from its JSON record (``artifacts["tmu"]``).

Pure functions of the record (no model, no Streamlit): a 3-D scatter and a scatter matrix of the
three features NF/AF/CF coloured by the predicted or the true (gold) easy/hard label, and the table
rows of the easy and hard forget samples for an image gallery (and that gallery as a PNG).
"""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import torch

from core.explain.grid import save_grid

LABELS = {0: "easy", 1: "hard"}
COLORS = {"easy": "#2a9d8f", "hard": "#e76f51"}
COLOR_BY = ("predicted", "gold")


def _labels(record: dict, which: str, color_by: str) -> list[int]:
    """Per-sample 0/1 labels of the twin (its known labels) or forget set (predicted or gold)."""
    if which == "twin":
        return record["twin"]["hard"]
    if which != "forget":
        raise ValueError(f"tmu plot: which={which!r} is not allowed; allowed: forget, twin")
    if color_by not in COLOR_BY:
        raise ValueError(f"tmu plot: color_by={color_by!r} is not allowed; allowed: {', '.join(COLOR_BY)}")
    labels = record["forget"][color_by]
    if labels is None:
        raise ValueError("tmu plot: this run has no gold labels (the gold model was not available); "
                         "colour by 'predicted' instead")
    return labels


def _groups(record: dict, which: str, color_by: str) -> list[tuple[str, list[int]]]:
    """(label name, positions in ``record[which]``) per label, in :data:`LABELS` order: one trace each."""
    labels = _labels(record, which, color_by)
    return [(name, [i for i, v in enumerate(labels) if v == value]) for value, name in LABELS.items()]


def feature_scatter(record: dict, color_by: str = "predicted", which: str = "forget") -> go.Figure:
    """3-D scatter of (NF, AF, CF), one trace per label, hover shows the table row."""
    groups = _groups(record, which, color_by)  # checks ``which`` and ``color_by`` first
    part = record[which]
    fig = go.Figure()
    for name, idx in groups:
        fig.add_trace(go.Scatter3d(
            x=[part["NF"][i] for i in idx], y=[part["AF"][i] for i in idx], z=[part["CF"][i] for i in idx],
            mode="markers", name=f"{name} ({len(idx)})", marker={"size": 4, "color": COLORS[name]},
            customdata=[part["row"][i] for i in idx], hovertemplate="row %{customdata}<extra>" + name + "</extra>"))
    title = "twin set (known labels)" if which == "twin" else f"forget set ({color_by} labels)"
    fig.update_layout(title=f"TMU features: {title}", uirevision="tmu-features",
                      scene={"xaxis_title": "NF (nearest distance)", "yaxis_title": "AF (attack CE)",
                             "zaxis_title": "CF (curriculum loss)"})
    return fig


def feature_matrix_plot(record: dict, color_by: str = "predicted", which: str = "forget") -> go.Figure:
    """Scatter matrix of the three features, coloured like :func:`feature_scatter` (a 2-D alternative)."""
    groups = _groups(record, which, color_by)  # checks ``which`` and ``color_by`` first
    part = record[which]
    fig = go.Figure()
    for name, idx in groups:
        fig.add_trace(go.Splom(
            dimensions=[{"label": k, "values": [part[k][i] for i in idx]} for k in ("NF", "AF", "CF")],
            name=f"{name} ({len(idx)})", marker={"size": 5, "color": COLORS[name]}, diagonal_visible=False,
            customdata=[part["row"][i] for i in idx]))
    fig.update_layout(title=f"TMU features ({which}, {color_by if which == 'forget' else 'known'} labels)",
                      uirevision="tmu-features-matrix")
    return fig


def gallery_rows(record: dict, by: str = "predicted", limit: int | None = None) -> dict[str, list[int]]:
    """Table rows of the forget samples labelled easy and hard (by the predictor or the gold model).

    Rows are ordered by the predictor's P(hard), most confident first within each group, so a
    gallery shows the clearest cases.
    """
    labels = _labels(record, "forget", by)
    f = record["forget"]
    order = sorted(range(len(labels)), key=lambda i: f["p_hard"][i])
    easy = [f["row"][i] for i in order if labels[i] == 0]
    hard = [f["row"][i] for i in reversed(order) if labels[i] == 1]
    return {"easy": easy[:limit], "hard": hard[:limit]}


def save_gallery(record: dict, images: torch.Tensor, path: Path, per_row: int = 8) -> Path:
    """A PNG of the forget set split as the predictor split it: top row easy (kept), bottom row hard
    (pushed down), the clearest cases first; a short row is padded with blank tiles.

    ``images`` is the table's uint8 image tensor (rows index it). Drawn in the worker, so the
    dashboard only shows a file.
    """
    rows = gallery_rows(record, "predicted", per_row)
    blank = torch.ones((1, *images.shape[1:]))
    tiles = [torch.cat([images[rows[k]].float() / 255, *([blank] * (per_row - len(rows[k])))]) if rows[k]
             else blank.repeat(per_row, 1, 1, 1) for k in ("easy", "hard")]
    return save_grid(tiles, path)
