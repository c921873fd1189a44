"""Figures readable on a projector: the legend below the plot (never over the curves), room for it,
and axis ticks that do not overlap. One home for what every page's plotly figure shares."""

from __future__ import annotations

import plotly.graph_objects as go

LEGEND_ROOM_PX = 110  # the x-axis title plus two rows of a horizontal legend
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def legend_below(fig: go.Figure) -> go.Figure:
    """Move the legend under the x-axis title, horizontally, and make the figure taller by its room."""
    height = fig.layout.height or 380
    margin = fig.layout.margin
    fig.update_layout(legend={"orientation": "h", "x": 0, "xanchor": "left", "y": -0.18, "yanchor": "top"},
                      height=height + LEGEND_ROOM_PX // 2,
                      margin={"l": margin.l if margin.l is not None else 10, "r": margin.r if margin.r is not None else 10,
                              "t": margin.t if margin.t is not None else 30, "b": LEGEND_ROOM_PX})
    return fig


def spaced_ticks(fig: go.Figure, most: int = 12) -> go.Figure:
    """At most ``most`` ticks per axis, slanted on x, margins grown to fit the labels."""
    fig.update_xaxes(nticks=most, tickangle=-45, automargin=True)
    fig.update_yaxes(nticks=most, automargin=True)
    return fig
