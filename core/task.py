"""What the model predicts: one or several categorical columns (multi-head).

A single-column task (age group) and a multi-label one (MUCAC's Male/Smiling/Young) share one
code path: the model emits the heads' logits concatenated, and every method and metric goes
through ``loss``/``predict``/``correct`` here instead of calling cross-entropy directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass(frozen=True)
class Task:
    """The task's columns and their class counts."""

    columns: tuple[str, ...]
    num_classes: tuple[int, ...]

    @property
    def out_dim(self) -> int:
        return sum(self.num_classes)

    @property
    def is_multi(self) -> bool:
        return len(self.columns) > 1

    def heads(self, logits: torch.Tensor) -> list[torch.Tensor]:
        """The logits split per head: a list of ``[n, classes_k]``."""
        return list(torch.split(logits, list(self.num_classes), dim=1))

    def loss(self, logits: torch.Tensor, y: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
        """Cross-entropy summed over heads; ``y`` is ``[n, heads]``."""
        per = sum(F.cross_entropy(h, y[:, k], reduction="none") for k, h in enumerate(self.heads(logits)))
        return per.mean() if reduction == "mean" else per

    def predict(self, logits: torch.Tensor) -> torch.Tensor:
        """Predicted class per head, ``[n, heads]``."""
        return torch.stack([h.argmax(1) for h in self.heads(logits)], dim=1)

    def correct(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-sample share of heads predicted right (1.0 or 0.0 for one head)."""
        return (self.predict(logits) == y).float().mean(1)

    def topk_correct(self, logits: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
        """Per-sample share of heads whose true class is among the top ``k`` logits."""
        hits = []
        for j, h in enumerate(self.heads(logits)):
            top = h.topk(min(k, h.shape[1]), dim=1).indices
            hits.append((top == y[:, j : j + 1]).any(1).float())
        return torch.stack(hits, 1).mean(1)

    def probs(self, logits: torch.Tensor) -> torch.Tensor:
        """Softmax per head, concatenated (for output-distance metrics)."""
        return torch.cat([h.softmax(1) for h in self.heads(logits)], dim=1)

    def random_labels(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """Uniformly random labels per head, ``[n, heads]``."""
        return torch.stack([torch.randint(c, (n,), generator=generator) for c in self.num_classes], 1)
