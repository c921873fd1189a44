"""One tiny finished run shared by the audit tests (attribute request: forget Eyeglasses, task Smiling).

It runs through ``core.runs.worker.execute`` in-process, so the saliency audit hook, the store and
the run folder are the real ones; the original and gold models it caches make ``prepare`` free after.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import TINY_SCENARIO

AUDIT_SCENARIO = {**copy.deepcopy(TINY_SCENARIO), "name": "tiny attribute audit", "task": "Smiling",
                  "forget": {"kind": "attribute", "column": "Eyeglasses"},
                  "train": {"epochs": 2, "lr": 0.003, "batch_size": 32},  # 2 epochs: the report has curves to draw
                  "method": {"name": "finetune", "params": {"epochs": 2}}}


@dataclass
class FinishedRun:
    home: Path
    store: object
    run_id: str

    @property
    def run_dir(self) -> Path:
        return self.store.runs_root / self.run_id


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory) -> FinishedRun:
    from core.runs import RunStore
    from core.runs.worker import execute

    home = tmp_path_factory.mktemp("audit-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNLEARN_HOME", str(home))
        store = RunStore(home / "runs.db")
        run_id = store.create(copy.deepcopy(AUDIT_SCENARIO), "tiny attribute audit")
        status = execute(store, run_id)
    assert status == "succeeded", store.get(run_id).error
    return FinishedRun(home, store, run_id)


@pytest.fixture(scope="session")
def audit_prep(finished_run):
    """The finished run's Prepared (cached models) and its unlearned model, loaded from the run folder."""
    from core.config import scenario_from_dict
    from core.models import ModelSpec, build_model
    from core.pipeline import prepare
    from core.training import load_checkpoint

    sc = scenario_from_dict(copy.deepcopy(AUDIT_SCENARIO))
    prep = prepare(sc, cache=finished_run.home / "cache")
    assert prep.original.cached and prep.gold.cached
    c, h, _ = prep.splits.table.image_shape
    unlearned = build_model(sc.model, ModelSpec(c, h, prep.splits.task.out_dim))
    load_checkpoint(unlearned, finished_run.run_dir / "unlearned.pt")
    return prep, {"original": prep.original.model, "gold": prep.gold.model, "finetune": unlearned}
