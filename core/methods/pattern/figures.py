"""Pure plotly figures of a filter-group explorer: spectrum, ordered similarity, group map grid.

They take the explorer's plain data (``GroupExplorer.doc`` / ``.arrays``), never a model, so the
dashboard's "Filter groups" page can draw them from the saved files and tests can build them.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots


def spectrum_figure(eigengap: dict, show: int = 40) -> go.Figure:
    """Sorted Laplacian eigenvalues (markers) and the gaps after each (bars); chosen K marked."""
    values = np.asarray(eigengap["eigenvalues"])[:show]
    gaps = np.asarray(eigengap["gaps"])[: len(values) - 1]
    ks = np.arange(1, len(values) + 1)
    k, top = int(eigengap["k"]), set(eigengap.get("top_k", []))
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(go.Scatter(x=ks, y=values, mode="lines+markers", name="eigenvalue λ_i"))
    colors = ["crimson" if i == k else ("orange" if i in top else "lightgray") for i in ks[:-1]]
    fig.add_trace(go.Bar(x=ks[:-1] + 0.5, y=gaps, name="gap λ_{K+1} − λ_K", marker_color=colors,
                         opacity=0.7, customdata=ks[:-1], hovertemplate="K=%{customdata}: gap %{y:.4f}"),
                  secondary_y=True)
    fig.update_layout(title=f"Laplacian spectrum: K = {k} (top gaps at K = {sorted(top)})",
                      xaxis_title="index i (K for gaps)", uirevision="spectrum", bargap=0.5)
    fig.update_yaxes(title_text="eigenvalue", secondary_y=False)
    fig.update_yaxes(title_text="gap", secondary_y=True)
    return fig


def similarity_figure(similarity_ordered: np.ndarray, group_sizes: list[int]) -> go.Figure:
    """The filter similarity (rho + 1) ordered by group, with the group blocks outlined."""
    fig = go.Figure(go.Heatmap(z=similarity_ordered, zmin=0, zmax=2, colorscale="Viridis",
                               colorbar={"title": "ρ+1"}))
    edge = -0.5
    for size in group_sizes:
        fig.add_shape(type="rect", x0=edge, y0=edge, x1=edge + size, y1=edge + size,
                      line={"color": "white", "width": 1.5})
        edge += size
    fig.update_layout(title=f"Filter similarity ordered by group ({len(group_sizes)} groups)",
                      xaxis_title="filter (by group)", yaxis_title="filter (by group)",
                      yaxis_autorange="reversed", uirevision="similarity")
    return fig


def overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.6) -> np.ndarray:
    """An RGB uint8 ``[H, W, 3]`` image with ``heat`` in [0, 1] drawn over it in red."""
    img = image.astype(np.float32)
    if img.shape[0] in (1, 3):  # CHW -> HWC
        img = np.transpose(img, (1, 2, 0))
    if img.shape[2] == 1:
        img = np.repeat(img, 3, axis=2)
    red = np.zeros_like(img)
    red[..., 0] = 255.0
    a = alpha * np.clip(heat, 0, 1)[..., None]
    return (img * (1 - a) + red * a).clip(0, 255).astype(np.uint8)


def group_maps_figure(images: np.ndarray, maps: np.ndarray, names: dict | None = None,
                      max_images: int = 6) -> go.Figure:
    """Grid: one row per image, the image then each group's map over it; columns titled by group."""
    n, k = min(len(images), max_images), maps.shape[1]
    names = names or {}
    titles = ["image"] + [f"group {g}" + (f": {names[str(g)]}" if names.get(str(g)) else "") for g in range(k)]
    fig = make_subplots(rows=n, cols=k + 1, column_titles=titles, horizontal_spacing=0.01, vertical_spacing=0.01)
    for r in range(n):
        fig.add_trace(go.Image(z=overlay(images[r], np.zeros(maps.shape[-2:]), 0.0)), row=r + 1, col=1)
        for g in range(k):
            fig.add_trace(go.Image(z=overlay(images[r], maps[r, g])), row=r + 1, col=g + 2)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(title="Where each filter group fires", height=120 * n + 80,
                      width=max(400, 110 * (k + 1)), margin={"l": 10, "r": 10, "t": 80, "b": 10})
    return fig


def overlap_figure(overlap: dict, area: dict, names: dict | None = None) -> go.Figure:
    """Heatmap, groups x attributes: the share of each group's map mass inside each ground-truth
    mask, coloured by lift (share / mask area; a uniform map has lift 1), so a user sees why a
    group carries its name. The last row is each mask's area, the share a uniform map would get."""
    attrs = sorted(area)
    groups = sorted(overlap, key=int)
    names = names or {}
    rows = [f"group {g}" + (f": {names[g]}" if names.get(g) else "") for g in groups] + ["uniform map (mask area)"]
    share = np.array([[overlap[g].get(a, np.nan) for a in attrs] for g in groups] + [[area[a] for a in attrs]])
    lift = share / np.array([area[a] for a in attrs])[None, :]
    text = [[f"{s:.0%} ({l:.1f}×)" for s, l in zip(rs, rl)] for rs, rl in zip(share, lift)]
    fig = go.Figure(go.Heatmap(z=lift, x=attrs, y=rows, text=text, texttemplate="%{text}", colorscale="Blues",
                               zmin=0, colorbar={"title": "lift"},
                               hovertemplate="%{y} · %{x}: %{text} of the map's mass inside the mask<extra></extra>"))
    fig.update_layout(title="Overlap of each group's map with each ground-truth mask (share, lift over a uniform map)",
                      xaxis_title="attribute mask", yaxis_autorange="reversed", uirevision="overlap",
                      height=60 + 32 * len(rows) + 80)
    return fig
