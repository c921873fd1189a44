"""The Twin Machine Unlearning section of the Audit page: how the predictor split the forget set.

Pure helpers over a finished run's results (no Streamlit): the TMU record, its gallery PNG (drawn
by the worker), the predictor's numbers as a small table, and the NF/AF/CF scatter matrix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from core.methods.tmu.plots import feature_matrix_plot
from dashboard.components.audit import run_artifacts

GALLERY_NOTE = ("Top row: forget images the predictor calls easy (a model that never saw them would still get "
                "them right, so TMU keeps them); bottom row: hard ones (TMU pushes these down). Clearest cases first.")
TMU_TEACH = ("Forgetting part of a class should match the retrained model, not zero accuracy: many forgotten "
             "images are still recognised by a model that never saw them. TMU predicts which, from three numbers per "
             "image — NF (distance to the nearest kept images of its class), AF (how easily a small attack flips "
             "it) and CF (its loss under a briefly trained model).")


def tmu_record(results: dict[str, Any] | None) -> dict | None:
    """The TMU method's record (features, labels, predictor numbers), or None for other methods."""
    return run_artifacts(results).get("tmu")


def gallery_path(results: dict[str, Any] | None, run_dir: Path) -> Path | None:
    """The worker's easy/hard gallery PNG, looked up in the run folder when the stored path moved."""
    named = run_artifacts(results).get("tmu_gallery_png")
    candidates = [Path(named), run_dir / Path(named).name] if named else []
    return next((c for c in [*candidates, run_dir / "tmu_gallery.png"] if c.is_file()), None)


def predictor_table(record: dict) -> pd.DataFrame:
    """One row of counts and accuracies: how many images were called hard, and how often that was right."""
    p = record["predictor"]
    return pd.DataFrame([{
        "forget images": p["n_forget"], "predicted hard": p["n_hard_pred"],
        "hard for the gold model": p["n_hard_gold"], "label accuracy vs gold": p["forget_acc"],
        "twin images": p["n_twin"], "accuracy on the twin set": p["twin_acc"],
    }])


def feature_chart(record: dict, color_by: str = "predicted") -> go.Figure:
    """NF/AF/CF scatter matrix of the forget set, coloured by predicted or gold easy/hard labels."""
    fig = feature_matrix_plot(record, color_by, "forget")
    fig.update_layout(height=480, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
