"""Smoke test of the identity benchmark on tiny data: every method runs, the table and figure come out."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import torch

from core.bench import BENCHES, BenchArgs, run_bench
from core.bench.identity import parse_dataset, split_options, IdentityOptions
from core.bench.validation import BENCH_CANDIDATES
from core.data.source import DATASETS, DatasetSource
from core.params import param
from tests.methods.toy_identity import toy_table

torch.set_num_threads(1)

TINY = {"epochs": 2, "lr": 0.003, "batch_size": 32, "forget": 2, "task": "y", "quiet": True,
        "methods": "finetune,cfk,neggrad,unsir,scrub,advanced_neggrad,bad_teacher,random_labels",
        "finetune.epochs": 1, "scrub.epochs": 1, "unsir.impair_epochs": 1, "device": "cpu"}


class ToyIdentities(DatasetSource):
    """The hand-built toy table as a registered dataset (so the bench's --dataset path is exercised)."""

    @dataclass
    class Options:
        root: str = param("", "ignored; shows that NAME:ROOT reaches the reader")
        n_id: int = param(24, "people")

    def load(self, options, cache_dir=None):
        return toy_table(n_id=options.n_id, per=10)


@pytest.fixture
def toy_dataset(tmp_path, monkeypatch):
    monkeypatch.setenv("UNLEARN_HOME", str(tmp_path / "home"))
    if "toy_identities" not in DATASETS.names():
        DATASETS.add("toy_identities", ToyIdentities, "test-only toy table with identities")
    return "toy_identities:/nowhere"


def test_identity_bench_runs_every_method_and_writes_outputs(toy_dataset, tmp_path):
    out = tmp_path / "bench" / "identity.json"
    assert run_bench("identity", seeds=2, json_path=str(out), dataset=toy_dataset,
                     options={**TINY, "dataset.n_id": 24}) == 0
    doc = json.loads(out.read_text())
    models = ["original", "retrained", *TINY["methods"].split(",")]
    assert doc["models"] == models
    assert [r["seed"] for r in doc["runs"]] == [0, 1]
    assert doc["seeds"] == {"validation": [1000], "report": [0, 1]}  # chosen on 1000, reported on 0 and 1
    assert set(doc["chosen"]) == {"advanced_neggrad", "random_labels"}  # the methods with candidates
    for m, params in doc["chosen"].items():
        tried = [t for t in doc["validation"] if t["method"] == m]
        assert [t["params"] for t in tried] == BENCH_CANDIDATES["identity"][m]
        assert params == max(tried, key=lambda t: t["score"])["params"]  # the best validation NoMUS wins
        assert all(t["score"] == pytest.approx(t["metrics"][0]["nomus"]) for t in tried)
    for m in models:
        s = doc["summary"][m]
        for k in ("test_acc", "top2_acc", "forgetting_score", "nomus", "gold_gap", "seconds", "speedup",
                  "mia_auc", "cpu_seconds", "cpu_speedup"):
            assert s[k]["n"] == 2 and s[k]["mean"] == s[k]["mean"], (m, k)  # present and not NaN
    assert doc["summary"]["retrained"]["gold_gap"]["mean"] == 0.0
    md = out.with_suffix(".md").read_text()
    assert "| NoMUS |" in md and "advanced_neggrad" in md and "Quality check" in md
    assert "validation seeds [1000]" in md and "held-out seeds [0, 1]" in md
    assert "Departures from the papers" in md and "- neggrad: each forget sample stops" in md
    assert (tmp_path / "bench" / "identity-utility_vs_forgetting.html").exists()
    assert doc["quality"]["clock"] == "cpu_seconds"
    assert {q["model"] for q in doc["quality"]["methods"]} == set(TINY["methods"].split(","))
    for row in doc["quality"]["methods"]:  # the check is recomputable from the summary
        s = doc["summary"][row["model"]]
        assert row["nomus_minus_retrained"] == pytest.approx(s["nomus"]["mean"] - doc["summary"]["retrained"]["nomus"]["mean"])
        assert row["passes"] == (row["nomus_minus_retrained"] >= -0.02 and row["time_share"] <= 0.10)


def test_identity_bench_lira_option_adds_lira_numbers(toy_dataset):
    opts = {k: v for k, v in TINY.items() if "." not in k}
    opts.update(methods="neggrad", lira=2)
    result = BENCHES.get("identity")(BenchArgs(seeds=1, dataset=toy_dataset, options=opts))
    row = result.doc["summary"]["neggrad"]
    assert 0.0 <= row["lira_auc"]["mean"] <= 1.0
    assert "LiRA TPR@1%FPR" in result.markdown


def test_options_are_split_and_checked():
    suite, methods, dataset = split_options({"epochs": "3", "scrub.lr": "0.1", "dataset.size": "64"})
    assert suite == {"epochs": "3"} and methods == {"scrub": {"lr": "0.1"}} and dataset == {"size": "64"}
    assert parse_dataset("mufac:/data/m", IdentityOptions(), {}) == {"name": "mufac", "options": {"root": "/data/m"}}
    assert parse_dataset(None, IdentityOptions(size=64), {})["options"]["size"] == 64
    with pytest.raises(ValueError, match="not among methods"):
        BENCHES.get("identity")(BenchArgs(seeds=1, options={"methods": "neggrad", "scrub.lr": "0.1"}))
    with pytest.raises(ValueError, match="nosuch"):
        BENCHES.get("identity")(BenchArgs(seeds=1, options={"nosuch": 1}))


def test_a_setting_the_user_gives_is_not_chosen(toy_dataset):
    opts = {k: v for k, v in TINY.items() if "." not in k}
    opts.update({"methods": "random_labels", "random_labels.lr": 0.002})
    result = BENCHES.get("identity")(BenchArgs(seeds=1, dataset=toy_dataset, options=opts))
    assert result.doc["chosen"] == {} and result.doc["validation"] == []
    assert result.doc["seeds"] == {"validation": [], "report": [0]}  # no seed spent on choosing
    assert "nothing chosen" in result.markdown
