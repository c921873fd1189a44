"""TMU's audit section: how the predictor split the forget set into easy and hard images.

Built from the run's TMU record and the gallery the worker drew (``core.artifacts.RunArtifacts``):
the predictor's numbers as one table row, the gallery, and the NF/AF/CF scatter matrix coloured by
the predicted or (when the gold model was there) the gold easy/hard labels.
"""

from __future__ import annotations

from core.methods.audit_sections import Choice, Figure, Image, Table, Text, audit_section
from core.methods.tmu.plots import feature_matrix_plot

GALLERY_NOTE = ("Top row: forget images the predictor calls easy (a model that never saw them would still get "
                "them right, so TMU keeps them); bottom row: hard ones (TMU pushes these down). Clearest cases first.")
TMU_TEACH = ("Forgetting part of a class should match the retrained model, not zero accuracy: many forgotten "
             "images are still recognised by a model that never saw them. TMU predicts which, from three numbers per "
             "image — NF (distance to the nearest kept images of its class), AF (how easily a small attack flips "
             "it) and CF (its loss under a briefly trained model).")


def predictor_row(record: dict) -> dict:
    """Counts and accuracies: how many images were called hard, and how often that was right."""
    p = record["predictor"]
    return {"forget images": p["n_forget"], "predicted hard": p["n_hard_pred"],
            "hard for the gold model": p["n_hard_gold"], "label accuracy vs gold": p["forget_acc"],
            "twin images": p["n_twin"], "accuracy on the twin set": p["twin_acc"]}


def feature_chart(record: dict, color_by: str = "predicted") -> Figure:
    """NF/AF/CF scatter matrix of the forget set, coloured by predicted or gold easy/hard labels."""
    fig = feature_matrix_plot(record, color_by, "forget")
    fig.update_layout(height=480, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return Figure(fig, "tmu_features", legend_below=True)


@audit_section("tmu", title="Twin Machine Unlearning: easy and hard forget images")
def tmu_split(art) -> list:
    """The predictor's numbers, the easy/hard gallery and the feature scatter of a TMU run."""
    record = art.tmu_record
    if record is None:
        return []
    items: list = [Table([predictor_row(record)], "tmu_predictor")]
    if art.tmu_gallery is not None:
        items.append(Image(art.tmu_gallery, GALLERY_NOTE))
    colours = ["predicted"] + (["gold"] if record["forget"].get("gold") is not None else [])
    items.append(Choice("Colour by", "tmu_colour", {c: feature_chart(record, c) for c in colours}, "predicted"))
    return items + [Text(TMU_TEACH, "teach")]
