"""Biased synthetic faces follow Table 2; the fairness metric applies; the feature bench runs end to end."""

import json

import torch

from core.bench import run_bench
from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.data.table import TEST, TRAIN, UNSEEN
from core.bench.debias import BIAS_SCENARIOS, biased_faces, joint_option
from core.metrics import Evaluation, evaluate
from core.models import ModelSpec, build_model


def test_biased_training_set_and_balanced_held_out_faces():
    sc = BIAS_SCENARIOS["mouth_male"]
    assert joint_option(sc).startswith("Mouth_Slightly_Open,Male:0.0555")
    table = biased_faces(sc, n_identities=18, per_identity=4, size=32, held_out_identities=8)
    part, task, bias = table.partition, table.columns[sc.task], table.columns[sc.bias]
    assert int((part == TRAIN).sum()) == 72 and int((part == TEST).sum()) == int((part == UNSEEN).sum()) == 32
    train = part == TRAIN
    agree = float((task[train] == bias[train]).float().mean())
    assert agree < 0.25  # Table 2: 4000 of 36000 training images have task == bias
    held = part != TRAIN
    assert 0.3 < float((task[held] == bias[held]).float().mean()) < 0.7
    assert len(set(table.identity[train].tolist()) & set(table.identity[held].tolist())) == 0

    splits = make_splits(table, sc.task, ForgetRequest(kind="attribute", column=sc.bias), seed=0)
    model = build_model("smallcnn", ModelSpec(3, 32, 2))
    metrics = evaluate(Evaluation(model, splits, torch.device("cpu"), live=True))
    assert {"eod", "dpd", "aps"} <= set(metrics) and 0 <= metrics["eod"] <= 1


def test_feature_bench_smoke(tmp_path):
    options = {"n_identities": 12, "images_per_identity": 4, "epochs": 1, "iterations": 2, "identifier_epochs": 1,
               "pattern_tasks": "Bald", "debias_scenarios": "bald_mouth", "debias_identities": 12,
               "audit_images": 2}
    assert run_bench("feature", seeds=1, json_path=str(tmp_path / "feature.json"), options=options) == 0
    doc = json.loads((tmp_path / "feature.json").read_text())
    sections = {r["section"] for r in doc["rows"]}
    assert sections == {"single", "multi", "pattern", "debias"}
    methods = {r["method"] for r in doc["rows"]}
    assert {"adversarial_remover", "adversarial_remover min-max", "finetune (instance-level)"} <= methods
    md = (tmp_path / "feature.md").read_text()
    assert "Debiasing" in md and "No annotations" in md and "several features" in md
    pattern = {r["method"]: r for r in doc["rows"] if r["section"] == "pattern"}
    chosen, oracle = pattern["pattern_unlearning [Bald]"], pattern["upper bound (oracle) [Bald]"]
    assert chosen["chosen_by"] == "ranking" and oracle["chosen_by"] == "mask"
    assert "upper bound (oracle) [Bald]" in md and "oracle upper bound, not a result" in md
    assert doc["seeds"] == {"validation": [], "report": [0]} and doc["chosen"] == {}
    assert "Seeds: reported on [0]" in md
    assert "- adversarial_remover: the remover minimises KL(uniform" in md  # departures named
    assert (tmp_path / "feature-debias.html").exists()
