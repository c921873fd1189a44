"""TMU's last step: unlearn only the samples predicted hard, keep the easy ones and the retain set.

One loop, TMU-specific (the registered NegGrad / Random-Labeling methods act on the whole forget
set): every step trains cross-entropy on a batch of retain ∪ easy and, in the same forward pass (so
batch-norm statistics stay those of real batches), pushes a batch of hard samples off their label:
``neggrad`` ascends their loss only while they are still classified right (the gold model gets
them wrong, not infinitely wrong); ``random_labels`` trains them towards a fixed wrong label.
"""

from __future__ import annotations

import torch
from torch import nn

from core.methods.base import Context
from core.task import Task
from core.training import check_finite

PUSHES = ("neggrad", "random_labels")


def wrong_labels(task: Task, y: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A uniformly drawn label different from the true one, per head."""
    shift = torch.stack([torch.randint(1, max(c, 2), (len(y),), generator=gen) for c in task.num_classes], 1)
    return (y + shift) % torch.tensor(task.num_classes)


def push_loss(task: Task, logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor, push: str) -> torch.Tensor:
    """The term that lowers the hard samples' accuracy (added to the keep loss)."""
    if push == "neggrad":
        still_right = (task.correct(logits, y) == 1).float()
        return -(task.loss(logits, y, reduction="none") * still_right).sum() / len(y)
    if push == "random_labels":
        return task.loss(logits, target)
    raise ValueError(f"tmu.push: {push!r} is not allowed; allowed: {', '.join(PUSHES)}")


def push_down(ctx: Context, model: nn.Module, hard: torch.Tensor, keep: torch.Tensor, push: str, epochs: int,
              lr: float, weight: float, gen: torch.Generator) -> nn.Module:
    """Train on ``keep`` rows with cross-entropy while pushing ``hard`` rows down; report every epoch."""
    task, device = ctx.splits.task, ctx.device
    hx, hy = ctx.splits.tensors(hard)
    target = wrong_labels(task, hy, gen)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=5e-4)
    model.to(device)
    for epoch in range(epochs):
        model.train()
        for x, y in ctx.loader(keep, epoch=epoch):
            pick = torch.randperm(len(hy), generator=gen)[: ctx.train.batch_size]
            logits = model(torch.cat([x, hx[pick]]).to(device))
            loss = task.loss(logits[: len(x)], y.to(device))
            if len(pick):
                loss = loss + weight * push_loss(task, logits[len(x):], hy[pick].to(device), target[pick].to(device), push)
            check_finite(loss, f"tmu push-down epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        ctx.report(epoch + 1, epochs, model, loss=loss.item())
    return model.eval()
