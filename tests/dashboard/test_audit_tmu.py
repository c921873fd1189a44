"""The Audit page's TMU section: predictor numbers, the worker's easy/hard gallery and the NF/AF/CF
scatter, for a run whose artifacts hold a TMU record (and nothing of it for other runs)."""

from __future__ import annotations

import json

import torch

from core.artifacts import RunArtifacts
from core.methods.tmu.audit import predictor_row
from core.methods.tmu.plots import save_gallery
from tests.dashboard.seed import seed_audited_run, seed_run
from tests.dashboard.test_audit import audit_page
from tests.tmu.test_tmu_plots import RECORD

PREDICTOR = {"twin_acc": 0.8, "forget_acc": 0.75, "n_hard_pred": 2, "n_hard_gold": 1, "n_hard_twin": 1,
             "n_twin": 3, "n_forget": 4}


def seed_tmu_run(store) -> str:
    run_id = seed_audited_run(store, other_png=False)
    run, run_dir = store.get(run_id), store.runs_root / run_id
    record = {**RECORD, "predictor": PREDICTOR}
    gallery = save_gallery(record, torch.zeros((20, 3, 8, 8), dtype=torch.uint8), run_dir / "tmu_gallery.png", 3)
    store.finish(run_id, "succeeded", results={**run.results, "artifacts": {"tmu": record,
                                                                             "tmu_gallery_png": str(gallery)}})
    return run_id


def test_builders_read_the_record_and_gallery(store):
    run_id = seed_tmu_run(store)
    art = RunArtifacts.from_store(store, run_id)
    assert art.tmu_gallery == art.folder / "tmu_gallery.png"
    row = predictor_row(art.tmu_record)
    assert row["predicted hard"] == 2 and row["label accuracy vs gold"] == 0.75
    plain = seed_run(store, "succeeded")
    assert RunArtifacts.from_store(store, plain).tmu_record is None


def test_audit_page_shows_the_tmu_section(store):
    at = audit_page(seed_tmu_run(store))
    assert not at.exception, at.exception
    headings = [h.value for h in at.subheader]
    assert any(h.startswith("Twin Machine Unlearning") for h in headings) and "Other figures" not in headings
    chart = [e for e in at.get("plotly_chart") if "audit.tmu_features" in e.key]
    spec = json.loads(chart[0].proto.spec)
    assert [t["type"] for t in spec["data"]] == ["splom", "splom"]  # easy and hard traces
    at.segmented_control(key="audit.tmu_colour").set_value("gold").run()
    spec = json.loads([e for e in at.get("plotly_chart") if "audit.tmu_features" in e.key][0].proto.spec)
    assert spec["data"][1]["name"] == "hard (1)"  # the gold model finds one hard image


def test_other_runs_have_no_tmu_section(store):
    at = audit_page(seed_audited_run(store, other_png=False))
    assert not any(h.value.startswith("Twin Machine") for h in at.subheader)
