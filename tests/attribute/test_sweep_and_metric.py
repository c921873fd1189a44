"""The λ2 × λ3 sweep returns a matrix and a heatmap; the registered metric applies to attribute requests only."""

from __future__ import annotations

import plotly.graph_objects as go
import pytest

from core.metrics import Evaluation, evaluate
from core.bench.sensitivity import sensitivity_sweep
from core.methods.detachment.sweep import sweep_heatmap
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


def test_grid_sweep_fills_rows_by_lambda2_and_columns_by_lambda3(recorder):
    from core.methods.detachment.sweep import grid_sweep

    def score(l2, l3):
        return {"aum": l2 + l3 / 10, "aum_normalized": 0.0, "efficacy": 0.5, "fidelity": 1.0}

    result = grid_sweep(score, 5.0, [1.0, 2.0], [1.0, 2.0, 3.0], "linear", recorder)
    assert result.aum == [[1.1, 1.2, 1.3], [2.1, 2.2, 2.3]]
    assert [e["cell_aum"] for e in recorder.events] == [1.1, 1.2, 1.3, 2.1, 2.2, 2.3]
    assert not any("aum" in e for e in recorder.events)  # sweep cells never pass for live-chart epochs


def test_sweep_grid_param_runs_the_sweep_into_artifacts_and_the_run_folder(planted, recorder, tmp_path):
    import json

    from core.methods.detachment.sweep import SWEEP_FILE
    from core.pipeline import run_method

    params = {"epochs": 1, "reconstructions": False, "sweep_grid": [2.0]}
    _, _, artifacts = run_method(planted, "detachment", params, recorder, tmp_path)
    sweep = artifacts["sensitivity_sweep"]
    assert sweep["lambda2s"] == sweep["lambda3s"] == [2.0] and sweep["lambda1"] == 5.0
    assert len(sweep["aum"]) == 1 and len(sweep["aum"][0]) == 1 and 0.0 <= sweep["aum"][0][0] <= 1.0
    assert json.loads((tmp_path / SWEEP_FILE).read_text()) == sweep
    live = [e for e in recorder.events if "efficacy" in e]
    assert len(live) == 1  # the sweep cell's epoch reports no live metrics


def test_metric_scores_extra_attributes_named_in_the_settings(planted):
    ev = Evaluation(planted.original.model, planted.splits, planted.device, live=True,
                    settings={"extra_attributes": ["mark", "glasses"]})
    out = evaluate(ev, ["accuracy", "attribute"])
    assert set(k for k in out if k.startswith("efficacy_")) == {"efficacy_chance", "efficacy_mark"}
    assert 0.0 <= out["efficacy_mark"] <= 1.0
