"""Twin Machine Unlearning (TMU): forget part of a class by matching the gold model's accuracy on
it, not by driving it to zero.

Steps: build twin problems (twin.py, twin_models.py) whose gold model is known (the original
model, fine-tuned on the held-out people's sibling photos where the data has identities), so their
forget samples have free easy/hard labels; compute NF, AF (features.py) and CF (curriculum.py) on the
twin and the real forget sets; train the MLP predictor on the twin (predictor.py); predict which
real forget samples the gold model would miss; push only those down (pushdown.py). Every number of
the way goes into ``ctx.artifacts["tmu"]`` for the audit; ``ctx.gold`` is read only at the end, to
record the true easy/hard labels next to the predicted ones, never to decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from core.methods.base import METHODS, Context, Method
from core.methods.tmu.augment import AUGMENTATIONS
from core.methods.tmu.curriculum import curriculum_feature, train_curriculum_model
from core.methods.tmu.features import adversarial_feature, nearest_feature
from core.methods.tmu.predictor import DECISIONS, accuracy, decide, fit_predictor
from core.methods.tmu.pushdown import PUSHES, push_down
from core.methods.tmu.record import Labelled, tmu_record
from core.methods.tmu.twin import (TWIN_SCOPES, TWIN_SOURCES, TwinSet, class_of, draw_twin_set, forget_ratios,
                                   heldout_pool)
from core.methods.tmu.twin_models import build_twin_pair, generalization_labels
from core.params import param


@dataclass
class TMUParams:
    epochs: int = param(3, "push-down passes over the retain set (predicted-easy and -hard forget samples join "
                        "every step)", min=1, max=200)
    lr: float = param(0.003, "SGD (momentum 0.9) learning rate of the push-down (`bench subset` chooses between "
                             "0.003 and 0.01 on its validation seeds, never on the seeds it reports)",
                      min=1e-6, max=1.0)
    push: Literal["neggrad", "random_labels"] = param(
        "neggrad", "how the predicted-hard samples are unlearned: negative gradient until misclassified, "
        "or training towards a random wrong label", choices=list(PUSHES))
    push_weight: float = param(1.0, "weight of the push-down term against the keep (retain ∪ easy) loss",
                               min=0.0, max=100.0)
    decision: Literal["count", "threshold"] = param(
        "count", "hard/easy rule: 'threshold' = P(hard) > 0.5 (the paper); 'count' = the k most likely samples, "
        "k = the median number of hard samples the probabilities imply (aligns the accuracy when hard is rare)",
        choices=list(DECISIONS))
    twin_source: Literal["unseen", "test", "both"] = param(
        "unseen", "held-out split the twin forget sets are drawn from ('unseen' keeps test untouched)",
        choices=list(TWIN_SOURCES))
    twin_classes: Literal["forget", "all"] = param(
        "all", "twin forget set from the forget set's class(es) only (the paper), or from every class at "
        "the same forget/remain ratio (on small data a one-class twin set often holds no hard sample to learn from)",
        choices=list(TWIN_SCOPES))
    twins: int = param(1, "number of twin problems (independent draws and twin models) to label samples from",
                       min=1, max=20)
    twin_epochs: int = param(3, "fine-tuning epochs that turn the original model into a twin model", min=1, max=100)
    twin_lr: float = param(1e-3, "Adam learning rate of the twin fine-tuning", min=1e-6, max=1.0)
    twin_replay: int = param(2, "training samples mixed in per twin sample while fine-tuning the twin", min=0, max=100)
    augment: list[str] = param(["shift", "noise"], "augmentations that fill a twin set when held-out data "
                               "runs short (shift, noise, flip)", choices=list(AUGMENTATIONS))
    nf_k: int = param(5, "NF: number of nearest same-class remaining samples averaged", min=1, max=100)
    af_eps: float = param(2 / 255, "AF: L-infinity PGD budget on [0, 1] images", min=0.0, max=1.0)
    af_steps: int = param(10, "AF: PGD steps", min=1, max=200)
    cf_epochs: int = param(2, "CF: epochs the from-scratch curriculum model trains", min=1, max=20)
    cf_fraction: float = param(0.5, "CF: share of the retain set the curriculum model trains on", min=0.01, max=1.0)
    mlp_epochs: int = param(100, "predictor: MLP training epochs", min=1, max=5000)


def problem_features(p: TMUParams, ctx: Context, model: nn.Module, curriculum: nn.Module, x: torch.Tensor,
                     y: torch.Tensor, bank: torch.Tensor) -> dict[str, torch.Tensor]:
    """NF, AF and CF of samples ``(x, y)`` under ``model``, with ``bank`` rows as the class's remaining data."""
    task, device = ctx.splits.task, ctx.device
    bank_x, bank_y = ctx.splits.tensors(bank)
    return {
        "NF": nearest_feature(model, x, y[:, 0], bank_x, bank_y[:, 0], device, p.nf_k),
        "AF": adversarial_feature(model, task, x, y, device, p.af_eps, p.af_steps, seed=ctx.seed),
        "CF": curriculum_feature(curriculum, task, x, y, device),
    }


def curriculum_for(p: TMUParams, ctx: Context, twins: list[TwinSet], gen: torch.Generator) -> nn.Module:
    """The CF model, trained on part of retain + forget + the twin sets + part of their siblings."""
    siblings = torch.cat([t.siblings for t in twins]).unique()
    part = siblings[torch.randperm(len(siblings), generator=gen)[: round(p.cf_fraction * len(siblings))]]
    sx, sy = ctx.splits.tensors(part)
    return train_curriculum_model(ctx, torch.cat([sx, *[t.x for t in twins]]), torch.cat([sy, *[t.y for t in twins]]),
                                  p.cf_epochs, p.cf_fraction, gen)


def label_twins(p: TMUParams, ctx: Context, original: nn.Module, twins: list[TwinSet], curriculum: nn.Module,
                gen: torch.Generator) -> list[Labelled]:
    """For each twin problem: its two models, its samples' features, and their free easy/hard labels."""
    out = []
    for i, t in enumerate(twins):
        twin_model, twin_gold = build_twin_pair(ctx, original, t, p.twin_epochs, p.twin_lr, p.twin_replay, gen,
                                                stage=f"tmu twin {i + 1}/{len(twins)}")
        feats = problem_features(p, ctx, twin_model, curriculum, t.x, t.y, torch.cat([ctx.splits.train, t.siblings]))
        out.append(Labelled(t.rows, feats, generalization_labels(twin_gold, ctx.splits.task, t.x, t.y, ctx.device)))
        ctx.progress(i + 1, len(twins) + 1, stage="tmu features")
    return out


@METHODS.register("tmu", "Twin Machine Unlearning: predict which forget samples the gold model would miss; "
                         "unlearn only those")
class TMU(Method):
    """Aligned removal of part of a class (Twin Machine Unlearning)."""

    Params = TMUParams
    departures = ("decision=count: the k most likely samples are called hard, k = the median count the probabilities imply (the paper: P(hard) > 0.5; decision=threshold)", "twin_classes=all: the twin forget set is drawn from every class at the forget/remain ratio (the paper: the forget class only; twin_classes=forget)", "with identities, the twin's gold model is the original fine-tuned on held-out siblings (the paper: the original itself)")
    multi_label = False
    kinds = ("class_subset",)  # aligned removal of part of a class

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        bad = sorted(set(self.params.augment) - set(AUGMENTATIONS))
        if bad:
            raise ValueError(f"tmu.augment: unknown kind(s) {bad}; allowed: {', '.join(AUGMENTATIONS)}")
        forget_ratios(ctx.splits)
        pool = class_of(ctx.splits, heldout_pool(ctx.splits, self.params.twin_source))
        missing = sorted(set(class_of(ctx.splits, ctx.splits.forget).tolist()) - set(pool.tolist()))
        if missing:
            raise ValueError(f"tmu: the {self.params.twin_source} split has no samples of class(es) {missing} to "
                             "build the twin problem; set twin_source='both' or use a larger held-out split")

    def unlearn(self, ctx: Context) -> nn.Module:
        p, splits = self.params, ctx.splits
        gen = torch.Generator().manual_seed(ctx.seed)
        original = ctx.model.eval()
        twins = [draw_twin_set(splits, p.twin_source, p.twin_classes, p.augment, gen) for _ in range(p.twins)]
        curriculum = curriculum_for(p, ctx, twins, gen)
        twin = Labelled.concat(label_twins(p, ctx, original, twins, curriculum, gen))
        fx, fy = splits.tensors(splits.forget)
        real = Labelled(splits.forget, problem_features(p, ctx, original, curriculum, fx, fy, splits.retain))
        ctx.progress(p.twins + 1, p.twins + 1, stage="tmu features")

        predictor = fit_predictor(twin.X, twin.hard.numpy(), ctx.seed, epochs=p.mlp_epochs)
        p_hard = predictor.proba(real.X)
        hard = torch.from_numpy(decide(p_hard, p.decision)).bool()
        twin_acc = accuracy(decide(predictor.proba(twin.X), p.decision), twin.hard.numpy())
        ctx.progress(1, 1, stage="tmu predictor", n_hard=float(hard.sum()),
                     twin_acc=float("nan") if twin_acc is None else twin_acc)

        model = push_down(ctx, original, splits.forget[hard], splits.forget[~hard], p.push, p.epochs, p.lr,
                          p.push_weight, gen)
        if ctx.gold is not None:  # evaluation only, after every decision was made
            real.hard = generalization_labels(ctx.gold, splits.task, fx, fy, ctx.device)
        ctx.artifacts["tmu"] = tmu_record(p.decision, twins, twin, twin_acc, real, p_hard, hard)
        if ctx.workdir is not None:
            from core.methods.tmu.plots import save_gallery

            gallery = save_gallery(ctx.artifacts["tmu"], splits.table.images, ctx.workdir / "tmu_gallery.png")
            ctx.artifacts["tmu_gallery_png"] = str(gallery)
        return model
