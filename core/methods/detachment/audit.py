"""Detachment's audit sections: the reconstruction grid (what a decoder still rebuilds from the features
before and after unlearning) and the λ2 × λ3 sensitivity sweep's heatmap, read through
``core.artifacts.RunArtifacts``."""

from __future__ import annotations

from core.methods.audit_sections import Choice, Figure, Image, Text, audit_section
from core.methods.detachment.sweep import SweepResult, load_sweep, sweep_heatmap
from core.metric_words import metric_label

RECONSTRUCTION_NOTE = ("Rows: the input images, then what a decoder rebuilds from the features h of the model before "
                       "unlearning, then after.")
RECONSTRUCTION_CAPTION = ("Rows, top to bottom: the input images · rebuilt from the features before unlearning · "
                          "rebuilt after")
RECONSTRUCTION_TEACH = ("A decoder can only rebuild what the features still hold: if the forgotten attribute (say, "
                        "glasses) is gone from the 'after' row while the rest of the face stays, it was removed from h.")
SWEEP_NOTE = ("Each cell is one detachment run from the original model with that λ2 (task term, down) and λ3 "
              "(attribute removal, across) at the run's λ1.")
SWEEP_TEACH = ("Sensitivity: a bright, flat map means the method works for many settings; a single bright cell "
               "means the result hangs on tuning.")
SWEEP_VALUES = ("aum", "aum_normalized", "efficacy", "fidelity")


def sweep_chart(result: SweepResult, value: str = "aum") -> Figure:
    """The sweep's heatmap (the detachment module's own builder) sized for a page."""
    fig = sweep_heatmap(result, value)
    fig.update_layout(height=400, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return Figure(fig, "sweep", spaced_ticks=True)


@audit_section("detachment", title="Reconstructions", part="reconstructions")
def reconstructions(art) -> list:
    """The reconstruction grid of a detachment run (only detachment rebuilds images from its features)."""
    path = art.reconstructions
    if path is None:
        return []
    return [Text(RECONSTRUCTION_NOTE), Image(path, RECONSTRUCTION_CAPTION), Text(RECONSTRUCTION_TEACH, "teach")]


@audit_section("detachment", title="Sensitivity sweep", part="sweep")
def sensitivity_sweep(art) -> list:
    """The sweep's heatmap, one score at a time, when the run ran the sweep."""
    result = load_sweep(art.sweep)
    if result is None:
        return []
    options = {v: sweep_chart(result, v) for v in SWEEP_VALUES}
    return [Text(SWEEP_NOTE), Choice("Score", "sweep_value", options, "aum", {v: metric_label(v) for v in SWEEP_VALUES}),
            Text(SWEEP_TEACH, "teach")]
