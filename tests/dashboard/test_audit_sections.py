"""The Audit page's detachment sections: the reconstruction grid under its own heading (or a plain note when
the run has none) and the λ2 × λ3 sensitivity heatmap when the run ran the sweep."""

from __future__ import annotations

import json

from PIL import Image

from core.artifacts import RunArtifacts
from core.methods.detachment.audit import RECONSTRUCTION_NOTE, sweep_chart
from core.methods.detachment.sweep import SWEEP_FILE, SweepResult, load_sweep
from dashboard.figures.audit import other_figures
from tests.dashboard.seed import seed_audited_run, seed_run
from tests.dashboard.test_audit import audit_page
from tests.dashboard.test_pages import texts

SWEEP = SweepResult(5.0, [1.0, 4.0], [1.0, 4.0], "linear", aum=[[0.1, 0.2], [0.3, 0.4]],
                    aum_normalized=[[0.2, 0.3], [0.4, 0.5]], efficacy=[[0.9, 0.8], [0.7, 0.6]],
                    fidelity=[[1.0, 1.0], [0.9, 0.9]])


def seed_detachment_run(store, sweep_in: str = "artifacts") -> str:
    """A succeeded run with the saliency audit plus what detachment adds: the reconstruction grid named in its
    artifacts and the sweep, either in the artifacts or only as the JSON file in the run folder."""
    run_id = seed_audited_run(store, other_png=False)
    run = store.get(run_id)
    run_dir = store.runs_root / run_id
    png = run_dir / "reconstructions.png"
    Image.new("RGB", (48, 48), (90, 90, 90)).save(png)
    artifacts = {"reconstruction_png": str(png)}
    if sweep_in == "artifacts":
        artifacts["sensitivity_sweep"] = SWEEP.as_dict()
    else:
        (run_dir / SWEEP_FILE).write_text(json.dumps(SWEEP.as_dict()))
    store.finish(run_id, "succeeded", results={**run.results, "artifacts": artifacts})
    return run_id


def test_builders_find_the_grid_and_the_sweep(store):
    for where in ("artifacts", "file"):
        run_id = seed_detachment_run(store, where)
        art = RunArtifacts.from_store(store, run_id)
        assert art.reconstructions == art.folder / "reconstructions.png"
        assert load_sweep(art.sweep) == SWEEP
        assert other_figures(art, {art.reconstructions.resolve()}) == []
    fig = sweep_chart(SWEEP, "efficacy").figure
    assert fig.data[0].type == "heatmap" and [list(r) for r in fig.data[0].z] == SWEEP.efficacy
    plain = RunArtifacts.from_store(store, seed_run(store, "succeeded"))
    assert plain.reconstructions is None and plain.sweep is None


def test_audit_page_shows_reconstructions_and_the_sweep_heatmap(store):
    at = audit_page(seed_detachment_run(store))
    assert not at.exception, at.exception
    headings = [h.value for h in at.subheader]
    assert "Reconstructions" in headings and "Sensitivity sweep" in headings and "Other figures" not in headings
    assert RECONSTRUCTION_NOTE in texts(at, "caption")
    sweep = [e for e in at.get("plotly_chart") if "audit.sweep" in e.key]
    spec = json.loads(sweep[0].proto.spec)
    assert spec["data"][0]["type"] == "heatmap" and spec["data"][0]["z"] == SWEEP.aum
    at.segmented_control(key="audit.sweep_value").set_value("efficacy").run()
    spec = json.loads(next(e for e in at.get("plotly_chart") if "audit.sweep" in e.key).proto.spec)
    assert spec["data"][0]["z"] == SWEEP.efficacy


def test_audit_page_of_a_run_without_them_leaves_no_empty_section(store):
    at = audit_page(seed_run(store, "succeeded"))
    assert not at.exception, at.exception
    assert "Reconstructions" not in [h.value for h in at.subheader]
    assert "Sensitivity sweep" not in [h.value for h in at.subheader]
    assert not [e for e in at.get("plotly_chart") if "audit.sweep" in e.key]
