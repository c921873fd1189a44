"""The per-sample risk table: every forget image, its attack scores and losses under each model, ranked.

An auditor asked "is this person really gone?" needs a per-image answer. For each forget image this
keeps, under the original, gold and unlearned models: every per-model attack's score (higher = "looks
like a member"; core/metrics/attack_suite.py already computed them, in forget-row order) and its task loss;
its rank under the *ranking attack* (the strongest one run: rmia, then lira_online, then loss) for each
model (1 = most exposed); where the saliency audit explained it, the index of its maps in
``audit/saliency.pt``; and, for the ``THUMBS`` images most exposed after unlearning, a PNG thumbnail.

Computed in the worker (:func:`core.pipeline.run_scenario`) and written as ``risk_table.json`` in the run
folder; the dashboard's risk explorer and the HTML report only read it.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import torch

RISK_FILE = "risk_table.json"
RANKING_ORDER = ("rmia", "lira_online", "loss")
THUMBS = 48


def ranking_attack(scores: dict[str, dict[str, list[float]]]) -> str | None:
    """The strongest attack that scored every model, by :data:`RANKING_ORDER`."""
    for name in RANKING_ORDER:
        if name in scores:
            return name
    return next(iter(scores), None)


def ranks(values: np.ndarray) -> np.ndarray:
    """1 for the highest value, 2 for the next (ties broken by position)."""
    order = np.argsort(-np.asarray(values, float), kind="stable")
    out = np.empty(len(order), int)
    out[order] = np.arange(1, len(order) + 1)
    return out


def thumbnail(image: torch.Tensor) -> str:
    """A uint8 ``[C, H, W]`` image as a base64 PNG."""
    from PIL import Image

    arr = image.permute(1, 2, 0).numpy()
    pil = Image.fromarray(arr[:, :, 0] if arr.shape[2] == 1 else arr)
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode()


def forget_losses(prep, model) -> list[float]:
    from core.training import predict_logits

    x, y = prep.splits.tensors("forget")
    logits = predict_logits(model, x, prep.device).float()
    return [float(v) for v in prep.splits.task.loss(logits, y, reduction="none")]


def build_risk_table(prep, models: dict, scores: dict[str, dict[str, list[float]]], after: str,
                     saliency: dict | None = None) -> dict:
    """The table for ``models`` (name -> model, in column order); ``scores[model][attack]`` are the forget
    rows' attack scores; ``after`` names the unlearned model (its ranking orders the rows)."""
    by_attack: dict[str, dict[str, list[float]]] = {}
    for model_name, per in scores.items():
        for attack, vals in per.items():
            by_attack.setdefault(attack, {})[model_name] = vals
    by_attack = {a: v for a, v in by_attack.items() if all(m in v for m in models)}
    attack = ranking_attack(by_attack)
    forget = prep.splits.forget
    losses = {name: forget_losses(prep, m) for name, m in models.items()}
    rank = {name: ranks(by_attack[attack][name]) for name in models} if attack else {}
    audited = {}
    if saliency and not saliency.get("error"):
        audited = {img["row"]: i for i, img in enumerate(saliency.get("images", [])) if img["split"] == "forget"}
    ident = prep.splits.table.identity
    rows = []
    for i, r in enumerate(forget.tolist()):
        rows.append({"row": int(r), "unit": None if ident is None else int(ident[r]),
                     "scores": {a: {m: round(float(v[m][i]), 6) for m in models} for a, v in by_attack.items()},
                     "rank": {m: int(rank[m][i]) for m in rank}, "loss": {m: round(losses[m][i], 5) for m in models},
                     "saliency_index": audited.get(int(r))})
    if attack:
        rows.sort(key=lambda row: row["rank"][after])
    for row in rows[:THUMBS]:
        row["thumb"] = thumbnail(prep.splits.table.images[row["row"]])
    return {"attack": attack, "models": list(models), "after": after, "attacks": sorted(by_attack),
            "n": len(rows), "rows": rows,
            "note": "rank 1 = the most exposed image under that model by the ranking attack; scores are per model "
                    "(higher: looks more like a training member); losses are the task loss"}
