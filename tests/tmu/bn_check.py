"""An independent reading of what a model's first BatchNorm layer should hold after training on ``x``:
the mean over ``x``'s batches of each channel's batch mean of that layer's input (its input comes
from the conv before it, so it does not depend on the BN statistics being checked)."""

from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def first_bn_expected_mean(model: nn.Module, x: torch.Tensor, batch_size: int) -> tuple[nn.Module, torch.Tensor]:
    bn = next(m for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    seen: list[torch.Tensor] = []
    handle = bn.register_forward_hook(lambda m, i, o: seen.append(i[0].mean((0, 2, 3))))
    try:
        model.eval()
        for i in range(0, len(x), batch_size):
            model(x[i : i + batch_size])
    finally:
        handle.remove()
    return bn, torch.stack(seen).mean(0)
