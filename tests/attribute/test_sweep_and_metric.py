"""The λ2 × λ3 sweep returns a matrix and a heatmap; the registered metric applies to attribute requests only."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from core.metrics import Evaluation, evaluate
from core.methods.detachment.sweep import sensitivity_sweep, sweep_heatmap
from tests.attribute.planted import planted_prepared

NAMES = {"efficacy", "efficacy_chance", "fidelity", "aum", "aum_normalized"}


def test_sweep_matrix_and_heatmap(planted, recorder):
    result = sensitivity_sweep(planted, 5.0, [1.0], [0.5, 4.0], {"epochs": 1}, progress=recorder)
    assert len(result.aum) == 1 and len(result.aum[0]) == 2
    assert all(0.0 <= v <= 1.0 for v in result.aum[0] + result.aum_normalized[0])
    assert [e["step"] for e in recorder.events if e["stage"] == "sensitivity sweep"] == [1, 2]
    fig = sweep_heatmap(result)
    assert isinstance(fig, go.Figure) and fig.data[0].type == "heatmap"
    assert list(fig.data[0].z[0]) == result.aum[0]
    assert result.as_dict()["lambda3s"] == [0.5, 4.0]


def test_live_metric_uses_the_probe_and_scores_the_attribute(planted):
    live = evaluate(Evaluation(planted.original.model, planted.splits, planted.device, live=True))
    assert NAMES <= set(live)
    assert live["fidelity"] == pytest.approx(live["test_acc"])
    assert live["efficacy"] > live["efficacy_chance"]


def test_metric_skips_requests_that_are_not_attributes():
    prep = planted_prepared(epochs=1, kind="identities")
    out = evaluate(Evaluation(prep.original.model, prep.splits, prep.device, live=True))
    assert not NAMES & set(out)
