"""What TMU leaves for the audit: per-sample features and easy/hard labels of the twin and the real
forget sets, and how well the predictor did. Everything is plain lists and numbers (JSON-able), so
the run store keeps it and the dashboard can plot it (core/explain/tmu_plots.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from core.methods.tmu.features import FEATURES, feature_matrix
from core.methods.tmu.predictor import accuracy
from core.methods.tmu.twin import TwinSet


@dataclass
class Labelled:
    """One problem's forget samples: table rows, NF/AF/CF, and easy(0)/hard(1) labels when known."""

    rows: torch.Tensor
    feats: dict[str, torch.Tensor]
    hard: torch.Tensor | None = None

    @property
    def X(self) -> np.ndarray:
        """The predictor's input matrix ``[n, 3]``."""
        return feature_matrix(*(self.feats[k] for k in FEATURES)).numpy()

    @staticmethod
    def concat(parts: list["Labelled"]) -> "Labelled":
        return Labelled(torch.cat([p.rows for p in parts]),
                        {k: torch.cat([p.feats[k] for p in parts]) for k in FEATURES},
                        torch.cat([p.hard for p in parts]))


def _floats(t: torch.Tensor | np.ndarray) -> list[float]:
    return [float(v) for v in (t.tolist() if hasattr(t, "tolist") else t)]


def tmu_record(decision: str, twins: list[TwinSet], twin: Labelled, twin_acc: float | None, real: Labelled,
               p_hard: np.ndarray, hard: torch.Tensor) -> dict:
    """The JSON-able ``artifacts["tmu"]``; ``real.hard`` is the gold model's labels (None when unknown)."""
    gold = None if real.hard is None else real.hard.tolist()
    return {
        "features": list(FEATURES),
        "decision": decision,
        "forget": {"row": real.rows.tolist(), **{k: _floats(real.feats[k]) for k in FEATURES},
                   "x": real.X.tolist(), "p_hard": _floats(p_hard), "predicted": hard.long().tolist(), "gold": gold},
        "twin": {"row": twin.rows.tolist(), **{k: _floats(twin.feats[k]) for k in FEATURES},
                 "x": twin.X.tolist(), "hard": twin.hard.tolist(),
                 "augmented": torch.cat([t.augmented for t in twins]).long().tolist(),
                 "problem": [i for i, t in enumerate(twins) for _ in range(len(t))],
                 "n_siblings": [len(t.siblings) for t in twins]},
        "predictor": {"twin_acc": twin_acc, "forget_acc": accuracy(hard.long().numpy(), gold),
                      "n_hard_pred": int(hard.sum()), "n_hard_gold": None if gold is None else int(sum(gold)),
                      "n_hard_twin": int(twin.hard.sum()), "n_twin": len(twin.rows), "n_forget": len(real.rows)},
    }
