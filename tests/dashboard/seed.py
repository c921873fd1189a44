"""Runs shaped like real ones, inserted into the store by hand: pages and charts tested without training."""

from __future__ import annotations

import copy

from core.config import DEFAULT_SCENARIO
from core.runs import RunStore

LIVE = [(0.60, 0.80, 0.50), (0.62, 0.70, 0.61), (0.65, 0.55, 0.78)]  # test_acc, mia_acc, nomus per epoch
RESULTS = [("original", 0.70, 0.80, 0.55), ("gold", 0.69, 0.52, 0.83), ("finetune", 0.71, 0.60, 0.76)]


def seed_run(store: RunStore, status: str, epochs: int = 3, pid: int = 999_999, error: str | None = None,
             config: dict | None = None, rows: list | None = None) -> str:
    """A run shaped like a finetune run of the default scenario, stopped after ``epochs`` unlearning epochs
    (each also followed by a loss-only event of a second method stage, as multi-phase methods report).

    ``status`` running keeps it active (``pid`` must then be a live process); succeeded adds results."""
    config = copy.deepcopy(config or DEFAULT_SCENARIO)
    run_id = store.create(config, f"{config['method']['name']} · {config['name']}")
    store.mark_running(run_id, pid, "cpu")
    store.add_event(run_id, "data", 1, 1, {"n_train": 1260.0})
    for stage in ("original", "gold"):
        for step in (1, 2):
            store.add_event(run_id, stage, step, 2, {"loss": 1.0 / step})
    for step, (acc, mia, nomus) in enumerate(LIVE[:epochs], start=1):
        store.add_event(run_id, "unlearn", step, 3, {"test_acc": acc, "mia_acc": mia, "nomus": nomus})
        store.add_event(run_id, "fine-tuning", step, 3, {"loss": 0.3})
    if status == "running":
        return run_id
    results = None
    if status == "succeeded":
        results = {"scenario": config, "results": [
            {"model": m, "metrics": {"test_acc": a, "mia_acc": mia, "nomus": n, "seconds": 1.0}}
            for m, a, mia, n in (rows or RESULTS)]}
    store.finish(run_id, status, results=results, error=error)
    return run_id


def seed_audited_run(store: RunStore, roc: bool = True, other_png: bool = True) -> str:
    """A succeeded run whose results carry a saliency audit summary (as ``saliency_audit`` writes it), its
    grid PNGs in the run folder, optionally ROC points per model and a reconstruction PNG."""
    from PIL import Image

    run_id = seed_run(store, "running")  # finished below, with the audit in its results
    run_dir = store.run_dir(run_id)
    (run_dir / "audit").mkdir(parents=True, exist_ok=True)
    grids = {}
    for target in ("task", "attribute"):
        for kind in ("gradcam", "guided_backprop"):
            rel = f"audit/saliency-{target}-{kind}.png"
            Image.new("RGB", (48, 32), (200, 40 * len(grids), 90)).save(run_dir / rel)
            grids[f"{target}/{kind}"] = rel
    if other_png:
        Image.new("RGB", (40, 40), (10, 120, 200)).save(run_dir / "reconstruction.png")
    models = [m for m, *_ in RESULTS]
    share = {"attribute": {"gradcam": {"original": 0.62, "gold": 0.30, "finetune": 0.35}},
             "task": {"gradcam": {"original": 0.40, "gold": 0.38, "finetune": 0.39}}}
    results = {"scenario": store.get(run_id).config, "results": [
        {"model": m, "metrics": {"test_acc": a, "mia_acc": mia, "nomus": n, "seconds": 1.0}} for m, a, mia, n in RESULTS]}
    results["audit"] = {"images": [{"row": 3, "split": "forget"}, {"row": 9, "split": "retain"}], "models": models,
                        "before": "original", "after": "finetune", "kinds": ["gradcam", "guided_backprop"],
                        "targets": {}, "region": {"mask": "Eyeglasses", "n_images": 2, "mask_area": 0.12, "share": share},
                        "files": {"grids": grids, "maps": "audit/saliency.pt"}, "seconds": 1.5, "notes": []}
    if roc:
        for i, row in enumerate(results["results"]):
            row["extras"] = {"mia_roc": {"fpr": [0.0, 0.2, 1.0], "tpr": [0.0, 0.6 - 0.1 * i, 1.0], "auc": 0.7 - 0.1 * i}}
    store.finish(run_id, "succeeded", results=results)
    return run_id
