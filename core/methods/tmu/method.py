"""Twin Machine Unlearning (TMU): forget part of a class by matching the gold model's accuracy on
it, not by driving it to zero.

Steps: build twin problems (twin.py) whose gold model is the original model, so their forget
samples have known easy/hard labels; compute NF, AF (features.py) and CF (curriculum.py) on the
twin and the real forget sets; train the MLP predictor on the twin (predictor.py); predict which
real forget samples the gold model would miss; push only those down (pushdown.py). Every number of
the way goes into ``ctx.artifacts["tmu"]`` for the audit; ``ctx.gold`` is read only at the end, to
record the true easy/hard labels next to the predicted ones, never to decide anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
from torch import nn

from core.methods.base import METHODS, Context, Method
from core.methods.tmu.augment import AUGMENTATIONS
from core.methods.tmu.curriculum import curriculum_feature, train_curriculum_model
from core.methods.tmu.features import adversarial_feature, feature_matrix, nearest_feature
from core.methods.tmu.predictor import DECISIONS, accuracy, decide, fit_predictor
from core.methods.tmu.pushdown import PUSHES, push_down
from core.methods.tmu.twin import (TWIN_SCOPES, TWIN_SOURCES, TwinSet, build_twin, class_of, draw_twin_set,
                                   forget_ratios, generalization_labels, heldout_pool)
from core.params import param


@dataclass
class TMUParams:
    epochs: int = param(3, "push-down passes over retain ∪ predicted-easy forget samples", min=1, max=200)
    lr: float = param(1e-3, "Adam learning rate of the push-down", min=1e-6, max=1.0)
    push: Literal["neggrad", "random_labels"] = param(
        "neggrad", "how the predicted-hard samples are unlearned: negative gradient until misclassified, "
        "or training towards a random wrong label", choices=list(PUSHES))
    push_weight: float = param(1.0, "weight of the push-down term against the keep (retain ∪ easy) loss", min=0.0, max=100.0)
    decision: Literal["count", "threshold"] = param(
        "count", "hard/easy rule: 'threshold' = P(hard) > 0.5 (the paper); 'count' = the round(Σ P(hard)) most "
        "likely samples (matches the expected gold accuracy when hard samples are rare)", choices=list(DECISIONS))
    twin_source: Literal["unseen", "test", "both"] = param(
        "unseen", "held-out split the twin forget sets are drawn from ('unseen' keeps test untouched)",
        choices=list(TWIN_SOURCES))
    twin_classes: Literal["forget", "all"] = param(
        "all", "twin forget set from the forget set's class(es) only (the paper), or from every class at "
        "the same forget/remain ratio (more labelled samples on small data)", choices=list(TWIN_SCOPES))
    twins: int = param(1, "number of twin problems (independent draws and twin models) to label samples from", min=1, max=20)
    twin_epochs: int = param(3, "fine-tuning epochs that turn the original model into a twin model", min=1, max=100)
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


def _lists(feats: dict[str, torch.Tensor]) -> dict[str, list[float]]:
    return {k: [float(v) for v in t.tolist()] for k, t in feats.items()}


@METHODS.register("tmu", "Twin Machine Unlearning: predict which forget samples the gold model would miss; unlearn only those")
class TMU(Method):
    """Aligned removal of part of a class (Twin Machine Unlearning)."""

    Params = TMUParams
    multi_label = False

    def check(self, ctx: Context) -> None:
        super().check(ctx)
        forget_ratios(ctx.splits)
        pool = class_of(ctx.splits, heldout_pool(ctx.splits, self.params.twin_source))
        missing = sorted(set(class_of(ctx.splits, ctx.splits.forget).tolist()) - set(pool.tolist()))
        if missing:
            raise ValueError(f"tmu: the {self.params.twin_source} split has no samples of class(es) {missing} to "
                             "build the twin problem; set twin_source='both' or use a larger held-out split")

    def unlearn(self, ctx: Context) -> nn.Module:
        p, task, splits = self.params, ctx.splits.task, ctx.splits
        gen = torch.Generator().manual_seed(ctx.seed)
        original = ctx.model.eval()
        twins = [draw_twin_set(splits, p.twin_source, p.twin_classes, p.augment, gen) for _ in range(p.twins)]
        twin_models = [build_twin(ctx, original, t, p.twin_epochs, p.lr, p.twin_replay, gen,
                                  stage=f"tmu twin {i + 1}/{p.twins}") for i, t in enumerate(twins)]
        curriculum = train_curriculum_model(ctx, torch.cat([t.x for t in twins]), torch.cat([t.y for t in twins]),
                                            p.cf_epochs, p.cf_fraction, gen)
        twin_feats, twin_hard = [], []
        for i, (t, m) in enumerate(zip(twins, twin_models)):
            twin_feats.append(problem_features(p, ctx, m, curriculum, t.x, t.y, splits.train))
            twin_hard.append(generalization_labels(original, task, t.x, t.y, ctx.device))
            ctx.progress(i + 1, p.twins + 1, stage="tmu features")
        fx, fy = splits.tensors(splits.forget)
        real = problem_features(p, ctx, original, curriculum, fx, fy, splits.retain)
        ctx.progress(p.twins + 1, p.twins + 1, stage="tmu features")

        twin_X = torch.cat([feature_matrix(f["NF"], f["AF"], f["CF"]) for f in twin_feats]).numpy()
        twin_y = torch.cat(twin_hard).numpy()
        real_X = feature_matrix(real["NF"], real["AF"], real["CF"]).numpy()
        predictor = fit_predictor(twin_X, twin_y, ctx.seed, epochs=p.mlp_epochs)
        p_hard = predictor.proba(real_X)
        hard = torch.from_numpy(decide(p_hard, p.decision)).bool()
        twin_acc = accuracy(decide(predictor.proba(twin_X), p.decision), twin_y)
        ctx.progress(1, 1, stage="tmu predictor", twin_acc=twin_acc if twin_acc is not None else float("nan"),
                     n_hard=float(hard.sum()))

        model = push_down(ctx, original, splits.forget[hard], torch.cat([splits.retain, splits.forget[~hard]]),
                          p.push, p.epochs, p.lr, p.push_weight, gen)
        ctx.artifacts["tmu"] = self._artifacts(ctx, twins, twin_feats, twin_y, twin_X, twin_acc, real, real_X,
                                               p_hard, hard, fx, fy)
        return model

    def _artifacts(self, ctx: Context, twins: list[TwinSet], twin_feats: list[dict], twin_y: np.ndarray,
                   twin_X: np.ndarray, twin_acc: float | None, real: dict, real_X: np.ndarray, p_hard: np.ndarray,
                   hard: torch.Tensor, fx: torch.Tensor, fy: torch.Tensor) -> dict:
        """JSON-able record: per-sample features and labels for both problems, predictor accuracies."""
        gold = None
        if ctx.gold is not None:  # evaluation only: computed after every decision was made
            gold = generalization_labels(ctx.gold, ctx.splits.task, fx, fy, ctx.device).tolist()
        twin_rows = torch.cat([t.rows for t in twins])
        return {
            "features": ["NF", "AF", "CF"],
            "decision": self.params.decision,
            "forget": {"row": ctx.splits.forget.tolist(), **_lists(real), "x": real_X.tolist(),
                       "p_hard": [float(v) for v in p_hard], "predicted": hard.long().tolist(), "gold": gold},
            "twin": {"row": twin_rows.tolist(), "augmented": torch.cat([t.augmented for t in twins]).long().tolist(),
                     "problem": [i for i, t in enumerate(twins) for _ in range(len(t))],
                     **{k: [v for f in twin_feats for v in f[k].tolist()] for k in ("NF", "AF", "CF")},
                     "x": twin_X.tolist(), "hard": twin_y.tolist()},
            "predictor": {"twin_acc": twin_acc, "forget_acc": accuracy(hard.long().numpy(), gold),
                          "n_hard_pred": int(hard.sum()), "n_hard_gold": None if gold is None else int(sum(gold)),
                          "n_hard_twin": int(twin_y.sum()), "n_twin": int(len(twin_y)), "n_forget": int(len(hard))},
        }
