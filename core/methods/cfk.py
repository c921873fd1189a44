"""CF-k (Goel et al., "catastrophic forgetting of the last k layers"): fine-tune only the last k
parameterised blocks of the network on the retain set; the earlier blocks stay exactly as trained.

Blocks come from ``model.blocks()``; blocks without parameters (pooling, flatten) are not counted,
so CF-3 on ResNet-18 re-trains layer3, layer4 and fc, as in the MUFAC/MUCAC paper's code. The frozen
blocks' weights stay exactly as trained, and they are kept in eval mode while the others train, so
the training steps do not move their batch-norm statistics. Their statistics are *not* kept, though:
like every method's model, the one ``core.pipeline.run_method`` returns has all BatchNorm statistics
re-estimated on the retain set (``Method.calibration_split``), the frozen blocks' included, so theirs
become the retain images' statistics through the unchanged weights (the original's came from train).
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import nn

from core.methods.base import METHODS, Context, Method
from core.methods.stepping import Stepper, batches
from core.params import param


@dataclass
class CFkParams:
    k: int = param(3, "how many of the last parameterised blocks to re-train (paper: CF-3)", min=1, max=50)
    epochs: int = param(2, "passes over the retain set (paper's code: 2)", min=1, max=200, search=(1, 6, "int"))
    lr: float = param(0.01, "SGD learning rate, momentum 0.9 (paper's code: 0.001 on ResNet-18 with ~130 "
                            "steps per epoch; our small sets give ~20, so 10x larger)", min=1e-6, max=1.0,
                      search=(1e-3, 0.05, "log"))


def trainable_blocks(model: nn.Module, k: int) -> tuple[list[nn.Module], list[nn.Module]]:
    """(frozen, trainable): the last ``k`` blocks that have parameters are trainable."""
    blocks = model.blocks()
    with_params = [i for i, b in enumerate(blocks) if any(True for _ in b.parameters())]
    if k > len(with_params):
        raise ValueError(f"cfk.k: the model has only {len(with_params)} blocks with parameters; choose k <= {len(with_params)}")
    first = with_params[-k]
    return blocks[:first], blocks[first:]


def set_modes(model: nn.Module, frozen: list[nn.Module]) -> None:
    model.train()
    for block in frozen:
        block.eval()


@METHODS.register("cfk", "CF-k: fine-tune only the last k blocks on the retain set (the rest frozen)")
class CFk(Method):
    Params = CFkParams

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        trainable_blocks(ctx.model, self.params.k)

    def unlearn(self, ctx: Context) -> nn.Module:
        p, model = self.params, ctx.model
        frozen, train = trainable_blocks(model, p.k)
        for block in frozen:
            block.requires_grad_(False)
        step = Stepper(model, p.lr, "cfk", params=[q for b in train for q in b.parameters()])
        for epoch in range(p.epochs):
            set_modes(model, frozen)
            for x, y in batches(ctx, "retain", epoch):
                step(ctx.splits.task.loss(model(x), y))
            ctx.report(epoch + 1, p.epochs, model, loss=step.end_epoch())
        model.requires_grad_(True)
        return model
