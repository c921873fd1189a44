"""Smoke test of ``unlearn bench attribute`` on tiny synthetic faces: both tables come out."""

from __future__ import annotations

import json

from core.bench import run_bench

TINY = {"n_identities": "12", "images_per_identity": "6", "size": "32", "attributes": "Eyeglasses",
        "train_epochs": "1", "unlearn_epochs": "1", "attacker": "linear", "device": "cpu"}


def test_bench_writes_tables_and_json(tmp_path, capsys):
    out = tmp_path / "attr.json"
    assert run_bench("attribute", seeds=1, json_path=str(out), options=TINY) == 0
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    assert set(run["rows"]) == {"Baseline 2 (gradcam_erase)", "detachment", "Baseline 1 (original)"}
    assert {"efficacy", "fidelity", "aum", "aum_normalized"} <= set(run["rows"]["detachment"])
    assert set(run["speed"]["seconds_per_epoch"]) == {"end_to_end", "local_parallel"}
    md = out.with_suffix(".md").read_text()
    assert "Table 1" in md and "Table 2" in md and "speed-up" in md
    assert "forget Eyeglasses" in md
