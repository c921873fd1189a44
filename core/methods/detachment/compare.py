"""End-to-end vs local-parallel, side by side on the same data (the paper's Table 2).

Both modes start from the same model and auxiliary-network initialisation and see the same batches.
Their epochs are interleaved (and which mode goes first alternates), so a machine that gets busier
or quieter during the run slows both alike; the first ``warmup`` epochs (optimiser state, allocator
growth) are left out of the averages.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from statistics import mean

import torch
from torch import nn

from core.methods.attribute_request import attribute_columns
from core.methods.base import Context
from core.methods.detachment.method import DetachmentParams, build_trainer
from core.methods.detachment.training import EpochStats, attribute_dataset, epoch_loader


@dataclass
class ModeComparison:
    """Seconds per epoch and peak memory of each mode, the speed-up and the memory saving."""

    seconds_per_epoch: dict[str, float]
    peak_mem_mb: dict[str, float]
    speedup: float
    memory_saving: float
    memory_measure: str
    threads: int
    epochs: dict[str, list[dict]]
    models: dict[str, nn.Module] = field(default_factory=dict, repr=False)

    def as_dict(self) -> dict:
        """JSON-able (without the models)."""
        return {"seconds_per_epoch": self.seconds_per_epoch, "peak_mem_mb": self.peak_mem_mb,
                "speedup": self.speedup, "memory_saving": self.memory_saving,
                "memory_measure": self.memory_measure, "torch_threads": self.threads, "epochs": self.epochs}


def _summary(history: list[EpochStats], warmup: int) -> tuple[float, float]:
    kept = history[warmup:] or history
    return mean(s.seconds for s in kept), max(s.peak_mem_mb for s in kept)


def compare_modes(ctx: Context, params: DetachmentParams | None = None, warmup: int = 1) -> ModeComparison:
    """Train ``end_to_end`` and ``local_parallel`` copies of ``ctx.model`` for ``params.epochs`` each.

    ``speedup`` = end-to-end seconds per epoch / local-parallel's; ``memory_saving`` = 1 − local
    peak / end-to-end peak. The trained models are in ``models`` (for efficacy and fidelity).
    """
    p = params or DetachmentParams()
    columns = attribute_columns(ctx, p.extra_attributes)
    data = attribute_dataset(ctx.splits, columns)
    trainers = {}
    for mode in ("end_to_end", "local_parallel"):
        torch.manual_seed(ctx.seed)
        trainers[mode] = build_trainer(ctx, copy.deepcopy(ctx.model), p, columns)
    history: dict[str, list[EpochStats]] = {m: [] for m in trainers}
    total = 2 * p.epochs
    for epoch in range(p.epochs):
        order = list(trainers) if epoch % 2 == 0 else list(reversed(trainers))
        for mode in order:
            loader = epoch_loader(data, ctx.train.batch_size, ctx.seed + epoch)
            stats = trainers[mode].run_epoch(loader, mode)
            trainers[mode].recalibrate(loader)
            history[mode].append(stats)
            ctx.report(sum(map(len, history.values())), total, trainers[mode].model,
                       seconds=stats.seconds, peak_mem_mb=stats.peak_mem_mb, local_parallel=float(mode != "end_to_end"))
    sec, mem = {}, {}
    for mode, hist in history.items():
        sec[mode], mem[mode] = _summary(hist, warmup)
    out = ModeComparison(
        sec, mem, speedup=sec["end_to_end"] / sec["local_parallel"] if sec["local_parallel"] > 0 else float("nan"),
        memory_saving=1 - mem["local_parallel"] / mem["end_to_end"] if mem["end_to_end"] > 0 else float("nan"),
        memory_measure=history["end_to_end"][0].measure, threads=torch.get_num_threads(),
        epochs={m: [{"seconds": s.seconds, "peak_mem_mb": s.peak_mem_mb} for s in h] for m, h in history.items()},
        models={m: t.model for m, t in trainers.items()})
    ctx.artifacts["mode_comparison"] = out.as_dict()
    return out
