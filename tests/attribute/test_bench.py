"""Smoke test of ``unlearn bench attribute`` on tiny synthetic faces: both tables come out."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

from core.bench import run_bench

TINY = {"n_identities": "12", "images_per_identity": "6", "size": "32", "attributes": "Eyeglasses",
        "train_epochs": "1", "unlearn_epochs": "1", "attacker": "linear", "device": "cpu"}


def test_bench_writes_tables_and_json(tmp_path, capsys):
    out = tmp_path / "attr.json"
    assert run_bench("attribute", seeds=1, json_path=str(out), options=TINY) == 0
    doc = json.loads(out.read_text())
    run = doc["runs"][0]
    assert set(run["rows"]) == {"Baseline 2 (gradcam_erase)", "detachment (paper)", "detachment + HSIC (ours)",
                                "Baseline 1 (original)"}
    for row in ("detachment (paper)", "detachment + HSIC (ours)"):
        assert {"efficacy", "fidelity", "aum", "aum_normalized"} <= set(run["rows"][row])
    assert run["kernel_weight"] == {"detachment (paper)": 0.0, "detachment + HSIC (ours)": 5.0}
    assert set(run["speed"]["seconds_per_epoch"]) == {"end_to_end", "local_parallel"}
    md = out.with_suffix(".md").read_text()
    assert "Table 1" in md and "Table 2" in md and "speed-up" in md
    assert "forget Eyeglasses" in md
    assert "| detachment (paper) |" in md and "| detachment + HSIC (ours) |" in md
    assert "kernel_weight=0" in md and "scored by the linear attacker" in md
    assert "- detachment: the λ3 term adds a kernel (HSIC)" in md  # the departure is named
    assert doc["seeds"] == {"validation": [], "report": [0]} and doc["chosen"] == {}
    assert "nothing chosen on validation seeds" in md

def _cifar_folder(root: Path, per_batch: int = 24) -> Path:
    """CIFAR-10's python-batch layout with random pixels (the reader's own fixture is smaller)."""
    from tests.data.layouts import CIFAR_NAMES, cifar_batch

    root.mkdir(parents=True)
    for seed, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        labels = [(seed + i) % 10 for i in range(per_batch)]
        with open(root / name, "wb") as f:
            pickle.dump(cifar_batch(labels, seed), f, protocol=2)
    with open(root / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [n.encode() for n in CIFAR_NAMES]}, f, protocol=2)
    return root


def test_bench_reads_a_cifar10_folder_living_task_class_forgotten(tmp_path):
    folder = _cifar_folder(tmp_path / "cifar-10-batches-py")
    out = tmp_path / "cifar.json"
    options = {**TINY, "attributes": "", "cifar_max_images": "0"}
    assert run_bench("attribute", seeds=1, json_path=str(out), dataset=str(folder), options=options) == 0
    doc = json.loads(out.read_text())
    assert [r["case"] for r in doc["runs"]] == ["cifar10 · living · forget label"]
    assert doc["runs"][0]["rows"]["detachment (paper)"]["efficacy_chance"] < 0.5  # ten classes
