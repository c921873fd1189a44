"""Audit helpers of the feature-unlearning benchmark: attackers, saliency in a region, map grids.

Every number is read from the models and the data: a linear-probe attacker per feature (the
shared one in ``core.metrics.attacker``), the share of guided-backprop saliency that falls inside a
feature's ground-truth mask (how much the model still looks at it), and a PNG grid of the maps.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from core.data.splits import Splits
from core.explain.guided_backprop import guided_backprop, region_share, saliency
from core.metrics.attacker import linear_probe
from core.training import predict_logits


def test_accuracy(model: nn.Module, splits: Splits, device: torch.device) -> float:
    x, y = splits.tensors("test")
    return splits.task.correct(predict_logits(model, x, device), y).mean().item()


def attackers(model: nn.Module, splits: Splits, columns: list[str], device: torch.device) -> dict[str, dict]:
    """Linear-probe attacker accuracy and its chance level on each feature column (train -> test)."""
    out = {}
    for c in columns:
        r = linear_probe(model, splits, c, device)
        out[c] = {"acc": r.efficacy, "chance": r.chance}
    return out


def audit_rows(splits: Splits, column: str, n: int) -> torch.Tensor:
    """The first ``n`` test rows whose ground-truth mask for ``column`` is not empty (fixed images)."""
    idx = splits.index("test")
    mask = splits.table.masks.get(column)
    if mask is not None:
        idx = idx[mask[idx].flatten(1).any(1)]
    return idx[:n]


def saliency_maps(model: nn.Module, splits: Splits, rows: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Guided-backprop saliency ``[n, H, W]`` of the predicted class (first head) on ``rows``."""
    x, _ = splits.tensors(rows)
    return saliency(guided_backprop(model, x, task=splits.task, device=device))


def saliency_share(model: nn.Module, splits: Splits, rows: torch.Tensor, region: torch.Tensor,
                   device: torch.device) -> float:
    """Mean share of the saliency mass inside ``region [n, H, W]`` on ``rows``."""
    if len(rows) == 0:
        return float("nan")
    return region_share(saliency_maps(model, splits, rows, device), region).mean().item()


def saliency_grid(models: dict[str, nn.Module], splits: Splits, rows: torch.Tensor, device: torch.device,
                  path: Path) -> str:
    """A PNG: the images on the first row, then one row of saliency maps per model."""
    from torchvision.utils import save_image

    x, _ = splits.tensors(rows)
    tiles = [x] + [saliency_maps(m, splits, rows, device).unsqueeze(1).expand_as(x) for m in models.values()]
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(torch.nn.functional.interpolate(torch.cat(tiles), scale_factor=4, mode="nearest"), path, nrow=len(x))
    return str(path)


def label_correlation(splits: Splits, a: str, b: str, split: str = "train") -> float:
    """Pearson correlation of two label columns over a split (the phi coefficient for two binary ones).

    The paper shows a feature's removal against how much the task depends on it: a feature that
    correlates with the task cannot go without some task accuracy going with it.
    """
    idx = splits.index(split)
    x, y = splits.table.columns[a][idx].double(), splits.table.columns[b][idx].double()
    if x.std() == 0 or y.std() == 0:
        return float("nan")
    return float(torch.corrcoef(torch.stack([x, y]))[0, 1])
