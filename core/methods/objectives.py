"""Loss terms the identity-unlearning methods share, all task-aware (one or several heads).

``capped_ascent`` is NegGrad's forget term with a ceiling: a sample stops pushing once its loss
passes the cap, so gradient ascent cannot run off to infinity. ``distill_kl`` is the per-head
knowledge-distillation divergence SCRUB and Bad Teacher use.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from core.task import Task


def chance_loss(task: Task) -> float:
    """The cross-entropy of a uniform prediction, summed over heads: ``Σ ln C_k``."""
    return float(sum(math.log(c) for c in task.num_classes))


def capped_ascent(task: Task, logits: torch.Tensor, y: torch.Tensor, cap: float) -> torch.Tensor:
    """``−mean(min(CE_i, cap))``: gradient ascent on the loss that stops per sample at ``cap``.

    A sample whose loss is above the cap contributes no gradient; ``cap <= 0`` means no ceiling
    (the paper's unbounded NegGrad).
    """
    per = task.loss(logits, y, reduction="none")
    if cap > 0:
        per = per.clamp(max=cap)
    return -per.mean()


def distill_kl(task: Task, student: torch.Tensor, teacher: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """``Σ_heads KL(teacher ‖ student)`` on temperature-softened outputs, times ``T²``, mean over the batch."""
    t = temperature
    total = student.new_zeros(())
    for s, q in zip(task.heads(student), task.heads(teacher)):
        total = total + F.kl_div(F.log_softmax(s / t, 1), F.log_softmax(q / t, 1), reduction="batchmean",
                                 log_target=True)
    return total * t * t
