"""A plotly figure drawn again as a static inline SVG (matplotlib), for the report's method sections.

The methods' audit sections build plotly figures for the dashboard; the report carries no JavaScript
(plotly.js inline is megabytes) and no image exporter is installed, so the traces those sections use —
heatmaps (with cell text), images, lines/markers, bars, a scatter matrix — are redrawn from the
figure's own data, on the subplot grid its axis domains describe. A trace of another type is named
in a note rather than dropped silently.
"""

from __future__ import annotations

import numpy as np

from core.report.charts import _svg

MARGIN = (0.07, 0.1, 0.9, 0.82)  # left, bottom, right, top of the plotting area in figure fractions


def plotly_svg(fig) -> str:
    """The figure as an inline ``<svg>`` (its title, subplots, axis titles and legends kept)."""
    from matplotlib.figure import Figure

    layout = fig.layout
    width, height = (layout.width or 900) / 100, (layout.height or 450) / 100
    out = Figure(figsize=(min(max(width, 6.4), 13), min(max(height, 3.6), 16)))
    skipped = sorted({t.type for t in fig.data if t.type not in DRAW and t.type != "splom"})
    splom = [t for t in fig.data if t.type == "splom"]
    if splom:
        _splom(out, splom)
    else:
        axes: dict = {}
        for trace in fig.data:
            if trace.type in DRAW:
                DRAW[trace.type](out, _axes(out, layout, trace, axes), trace)
        _shapes(layout, axes)
        _column_titles(out, layout)
        for ax in axes.values():
            if len([h for h in ax.get_legend_handles_labels()[1] if h]) > 1:
                ax.legend(fontsize=8, frameon=False)
    title = layout.title.text or ""
    out.suptitle(title + (f" (not drawn here: {', '.join(skipped)} traces)" if skipped else ""), fontsize=11)
    return _svg(out)


def _place(domain_x, domain_y) -> list[float]:
    left, bottom, right, top = MARGIN
    x0, x1 = domain_x or (0, 1)
    y0, y1 = domain_y or (0, 1)
    return [left + x0 * (right - left), bottom + y0 * (top - bottom), (x1 - x0) * (right - left), (y1 - y0) * (top - bottom)]


def _axes(out, layout, trace, axes: dict):
    """The matplotlib axes of the trace's plotly axis pair (a twin for an overlaying secondary y)."""
    xref, yref = trace.xaxis or "x", trace.yaxis or "y"
    if (xref, yref) in axes:
        return axes[(xref, yref)]
    xa, ya = layout[f"xaxis{xref[1:]}"], layout[f"yaxis{yref[1:]}"]
    base = next((ax for (x, y), ax in axes.items() if x == xref and y == ya.overlaying), None)
    ax = base.twinx() if base is not None else out.add_axes(_place(xa.domain, ya.domain))
    ax.set_xlabel(xa.title.text or "", fontsize=9)
    ax.set_ylabel(ya.title.text or "", fontsize=9)
    ax.tick_params(labelsize=8)
    if xa.visible is False or ya.visible is False:
        ax.axis("off")
    axes[(xref, yref)] = ax
    ax.reversed_y = ya.autorange == "reversed"
    return ax


def _color(value):
    """A plotly colour (``#hex``, ``rgb(…)``, a name) as matplotlib takes it."""
    if isinstance(value, str) and value.startswith("rgb"):
        parts = [float(v) for v in value[value.index("(") + 1 : value.index(")")].split(",")[:3]]
        return tuple(p / 255 for p in parts)
    return value


def _cmap(colorscale):
    from matplotlib.colors import LinearSegmentedColormap

    if not colorscale:
        return "viridis"
    return LinearSegmentedColormap.from_list("plotly", [(float(p), _color(c)) for p, c in colorscale])


def _heatmap(out, ax, t) -> None:
    z = np.asarray(t.z, dtype=float)
    im = ax.imshow(z, aspect="auto", cmap=_cmap(t.colorscale), vmin=t.zmin, vmax=t.zmax,
                   origin="upper" if getattr(ax, "reversed_y", False) else "lower", interpolation="nearest")
    if t.x is not None:
        ax.set_xticks(range(len(t.x)), [str(v) for v in t.x], rotation=45, ha="right")
    if t.y is not None:
        ax.set_yticks(range(len(t.y)), [str(v) for v in t.y])
    if t.text is not None and z.size <= 400:
        for (i, j), _ in np.ndenumerate(z):
            ax.text(j, i, str(t.text[i][j]), ha="center", va="center", fontsize=7, color="#333333")
    out.colorbar(im, ax=ax, shrink=0.8)


def _image(out, ax, t) -> None:
    ax.imshow(np.asarray(t.z, dtype=np.uint8))
    ax.axis("off")


def _scatter(out, ax, t) -> None:
    mode = t.mode or "lines+markers"
    color = _color(t.line.color) if isinstance(t.line.color, str) else None
    ax.plot(list(t.x), list(t.y), marker="o" if "markers" in mode else "", markersize=3,
            linestyle="-" if "lines" in mode else "", label=t.name or "", color=color)
    ax.grid(alpha=0.3)


def _bar(out, ax, t) -> None:
    colors = t.marker.color
    color = [_color(c) for c in colors] if isinstance(colors, (list, tuple)) else _color(colors)
    ax.bar(list(t.x), list(t.y), width=0.4, color=color, alpha=t.opacity or 1.0, label=t.name or "")


DRAW = {"heatmap": _heatmap, "image": _image, "scatter": _scatter, "bar": _bar}


def _splom(out, traces) -> None:
    """A scatter matrix: every pair of dimensions, one colour per trace, names on the diagonal."""
    labels = [d.label for d in traces[0].dimensions]
    n = len(labels)
    grid = out.subplots(n, n, squeeze=False)
    for i in range(n):
        for j in range(n):
            ax = grid[i][j]
            ax.tick_params(labelsize=7)
            if i == j:
                ax.text(0.5, 0.5, labels[i], ha="center", va="center", transform=ax.transAxes, fontsize=11)
                ax.set_xticks([]), ax.set_yticks([])
                continue
            for t in traces:
                ax.scatter(t.dimensions[j].values, t.dimensions[i].values, s=6, color=_color(t.marker.color),
                           label=t.name if (i, j) == (0, 1) else None)
    grid[0][1].legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, 1.5))


def _shapes(layout, axes: dict) -> None:
    """Rectangles drawn on data axes (the similarity matrix's group blocks)."""
    from matplotlib.patches import Rectangle

    for s in layout.shapes or ():
        ax = axes.get((s.xref or "x", s.yref or "y"))
        if s.type == "rect" and ax is not None:
            ax.add_patch(Rectangle((s.x0, s.y0), s.x1 - s.x0, s.y1 - s.y0, fill=False,
                                   edgecolor=_color(s.line.color) or "white", linewidth=s.line.width or 1))


def _column_titles(out, layout) -> None:
    """Subplot titles (plotly keeps them as paper-positioned annotations)."""
    left, bottom, right, top = MARGIN
    for a in layout.annotations or ():
        if a.xref == "paper" and a.yref == "paper" and a.text:
            out.text(left + a.x * (right - left), bottom + a.y * (top - bottom) + 0.01, a.text,
                     ha="center", va="bottom", fontsize=8)
