"""The visual audit every run shares, as pure builders: saliency grid files, mask shares, the
membership-attack ROC curve, and any other figure the run folder holds. (What one method adds —
TMU's split, detachment's reconstructions and sweep, the filter groups — is that method's audit
section: ``core/methods/*/audit.py``.)

Everything is read through the run's ``core.artifacts.RunArtifacts`` (the saliency summary in
``results["audit"]``, written by ``core.explain.saliency_audit``); nothing is recomputed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.artifacts import RunArtifacts
from dashboard.figures.charts import result_rows
from dashboard.figures.figure_layout import legend_below
from dashboard.figures.palette import model_color, model_role

KIND_LABELS = {"gradcam": "GradCAM", "guided_backprop": "Guided backprop", "guided_gradcam": "Guided GradCAM"}
TARGET_LABELS = {"task": "the task", "attribute": "the forgotten attribute"}

GRID_NOTE = ("Each column is one model on the same images (forget images first, then retain images); bright means "
             "the pixel pushed the model's answer. After unlearning, the maps on forget images should look like the "
             "gold model's, not the original's.")
SHARE_NOTE = ("Share of saliency inside the forgotten attribute's ground-truth mask, before (original) and after "
              "(unlearned) unlearning. If the model really forgot the attribute it stops looking there: the share "
              "falls towards what a uniform map gets (the mask's area).")
ROC_NOTE = ("Membership attack on the forget set versus never-seen images. The diagonal is a coin toss: a curve "
            "on it means the attacker cannot tell that the forgotten images were ever trained on.")

@dataclass(frozen=True)
class Grid:
    key: str  # "task/gradcam"
    title: str
    path: Path
    exists: bool


def grid_title(key: str) -> str:
    target, _, kind = key.partition("/")
    return f"{KIND_LABELS.get(kind, kind)} for {TARGET_LABELS.get(target, target)}"


def audit_grids(art: RunArtifacts) -> list[Grid]:
    """The grid PNGs the worker wrote into the run folder, task before attribute."""
    files = art.saliency_grids()
    order = {"task": 0, "attribute": 1}
    keys = sorted(files, key=lambda k: (order.get(k.partition("/")[0], 2), k))
    return [Grid(k, grid_title(k), files[k], files[k].is_file()) for k in keys]


def share_table(audit: dict | None) -> pd.DataFrame:
    """Mask shares: one row per target and explanation, one column per model plus before→after change
    and the uniform share (the mask's area). Empty when the run has no ground-truth mask."""
    region = (audit or {}).get("region")
    if not region:
        return pd.DataFrame()
    models = list(audit.get("models") or [])
    before, after = audit.get("before", "original"), audit.get("after", models[-1] if models else None)
    rows = []
    for target, kinds in region.get("share", {}).items():
        for kind, by_model in kinds.items():
            row = {"target": TARGET_LABELS.get(target, target), "explanation": KIND_LABELS.get(kind, kind)}
            row.update({m: by_model.get(m) for m in models})
            if by_model.get(before) is not None and by_model.get(after) is not None:
                row["change"] = by_model[after] - by_model[before]
            row["uniform"] = region.get("mask_area")
            rows.append(row)
    return pd.DataFrame(rows)


def roc_curves(results: dict[str, Any] | None) -> dict[str, dict]:
    """Per model, the membership-attack ROC points (``fpr``, ``tpr``, ``auc``) the run stored, if any.

    The ``mia_roc`` metric writes its curve to the evaluation's extras; a results row carries them as
    ``row["extras"]["mia_roc"]`` (or ``row["mia_roc"]``). Rows without points are left out."""
    out = {}
    for row in result_rows(results):
        curve = (row.get("extras") or {}).get("mia_roc") or row.get("mia_roc")
        if isinstance(curve, dict) and curve.get("fpr") and curve.get("tpr"):
            out[row["model"]] = curve
    return out


def roc_chart(curves: dict[str, dict]) -> go.Figure:
    """ROC curves of the loss attack, one per model in the model palette, with the coin-toss diagonal."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="coin toss", hoverinfo="skip",
                             line={"dash": "dot", "color": "#999999", "width": 1}))
    for model, c in curves.items():
        auc = c.get("auc")
        name = model if auc is None else f"{model} (AUC {auc:.3f})"
        fig.add_trace(go.Scatter(x=c["fpr"], y=c["tpr"], mode="lines", name=name, meta=model,
                                 line={"color": model_color(model), "width": 2, "dash": "solid" if model_role(model) == "unlearned" else "dash"}))
    fig.update_layout(height=400, margin={"l": 10, "r": 10, "t": 30, "b": 10})
    fig.update_xaxes(title_text="false-positive rate (unseen images called members)", range=[0, 1])
    fig.update_yaxes(title_text="true-positive rate (forgotten images caught)", range=[0, 1.02])
    return legend_below(fig)


def other_figures(art: RunArtifacts, shown: set[Path] = frozenset()) -> list[Path]:
    """PNGs in the run folder that are neither saliency grids nor among ``shown`` (resolved paths of figures
    with their own section, e.g. the reconstruction grid), sorted."""
    return art.pngs({g.path.resolve() for g in audit_grids(art)} | set(shown))
