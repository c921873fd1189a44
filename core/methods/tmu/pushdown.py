"""TMU's last step: unlearn only the samples predicted hard, keep the easy ones and the retain set.

One loop, TMU-specific (the registered NegGrad / Random-Labeling methods act on the whole forget
set): every step trains cross-entropy on a retain batch and on the predicted-easy forget samples
and, in the same forward pass (so batch-norm statistics stay those of real batches), pushes the
predicted-hard samples off their label:
``neggrad`` ascends their loss only while they are still classified right (the gold model gets
them wrong, not infinitely wrong); ``random_labels`` trains them towards a fixed wrong label.
SGD with momentum, not Adam: on a converged model Adam rescales the tiny retain gradients into
full-size steps and wanders off (test accuracy drops by points), while SGD moves mostly where the
push is.
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


def _pick(n: int, k: int, gen: torch.Generator) -> torch.Tensor:
    return torch.randperm(n, generator=gen)[:k]


def push_down(ctx: Context, model: nn.Module, hard: torch.Tensor, easy: torch.Tensor, push: str, epochs: int,
              lr: float, weight: float, gen: torch.Generator) -> nn.Module:
    """Train on retain with cross-entropy while holding ``easy`` rows and pushing ``hard`` rows down.

    Easy and hard forget samples join every step (their own mean-loss terms), so the pull that keeps
    an easy sample right is as frequent as the push on its hard neighbours; report every epoch.
    """
    task, device = ctx.splits.task, ctx.device
    hx, hy = ctx.splits.tensors(hard)
    ex, ey = ctx.splits.tensors(easy)
    target = wrong_labels(task, hy, gen)
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    model.to(device)
    bs = ctx.train.batch_size
    for epoch in range(epochs):
        model.train()
        for x, y in ctx.loader("retain", epoch=epoch):
            h, e = _pick(len(hy), bs, gen), _pick(len(ey), bs, gen)
            logits = model(torch.cat([x, ex[e], hx[h]]).to(device))
            n, m = len(x), len(x) + len(e)
            loss = task.loss(logits[:n], y.to(device))
            if len(e):
                loss = loss + task.loss(logits[n:m], ey[e].to(device))
            if len(h):
                loss = loss + weight * push_loss(task, logits[m:], hy[h].to(device), target[h].to(device), push)
            check_finite(loss, f"tmu push-down epoch {epoch + 1}")
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        ctx.report(epoch + 1, epochs, model, loss=loss.item())
    return model.eval()
