"""Debiasing by feature unlearning (Xu et al., Section 5.6): biased faces, a biased model, two cures.

Three scenarios of the paper's Table 2, each a binary task whose training set is strongly tied to
a bias attribute (the (task, bias) cells (0,0), (0,1), (1,0), (1,1) hold 2000, 16000, 16000, 2000
images or 2000, 10000, 10000, 2000 — scaled to the requested size). The model trained on it is
then cured two ways on the same training data: unlearning the bias feature with the adversarial
remover, or naive fine-tuning (the paper's control). The unlearned model is scored on raw images
(it is what the method returns) and, for reference, behind its remover. Bias is measured on held-out identities whose
(task, bias) cells are balanced, so a fair model scores EOD = DPD = 0 there: equalized-odds and
demographic-parity differences (fairlearn) and the average precision, after every epoch.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import torch
from torch import nn

from core.data import load_dataset
from core.data.forget import ForgetRequest
from core.data.splits import Splits, make_splits
from core.data.table import TEST, TRAIN, UNSEEN, ImageTable
from core.methods import METHODS, Context, TrainSettings
from core.methods.finetune import finetune_on
from core.methods.unet_remover import RemoverFront
from core.metrics import Evaluation, evaluate
from core.models import ModelSpec, build_model
from core.params import build_params
from core.training import seed_everything, train_epochs


@dataclass(frozen=True)
class BiasScenario:
    """A task, the attribute it is biased by, the four (task, bias) cell counts and Table 3's settings."""

    title: str
    task: str
    bias: str
    counts: tuple[int, int, int, int]
    lam: float
    beta: float
    lr_remover: float
    lr_model: float


BIAS_SCENARIOS: dict[str, BiasScenario] = {
    "mouth_male": BiasScenario("Mouth (Male)", "Mouth_Slightly_Open", "Male", (2000, 16000, 16000, 2000),
                               1.6, 1.0, 1e-5, 1e-5),
    "young_smiling": BiasScenario("Young (Smiling)", "Young", "Smiling", (2000, 10000, 10000, 2000),
                                  1.3, 1.0, 1e-5, 5e-6),
    "bald_mouth": BiasScenario("Bald (Mouth)", "Bald", "Mouth_Slightly_Open", (2000, 10000, 10000, 2000),
                               1.6, 1.0, 2.5e-5, 1e-5),
}
"""The paper's Table 2 (cell counts) and Table 3 (lambda, beta, learning rates at full CelebA scale)."""


def joint_option(sc: BiasScenario, counts: tuple[float, ...] | None = None) -> str:
    """synthfaces' ``joint`` option for the scenario's (task, bias) cells, as proportions."""
    c = counts or sc.counts
    total = float(sum(c))
    return f"{sc.task},{sc.bias}:" + ",".join(f"{v / total:.12g}" for v in c)


def concat_tables(parts: list[tuple[ImageTable, int]]) -> ImageTable:
    """Rows of several tables (same columns) with a partition code each; identities kept distinct."""
    offset, idents, rows = 0, [], []
    for table, _ in parts:
        idents.append(table.identity + offset)
        offset += int(table.identity.max()) + 1
    first = parts[0][0]
    for table, _ in parts:
        if set(table.columns) != set(first.columns):
            raise ValueError("concat_tables: the tables must have the same columns")
    part = torch.cat([torch.full((len(t),), code, dtype=torch.long) for t, code in parts])
    masks = {k: torch.cat([t.masks[k] for t, _ in parts]) for k in first.masks if all(k in t.masks for t, _ in parts)}
    for t, _ in parts:
        rows.extend(t.ids or [str(i) for i in range(len(t))])
    return ImageTable(first.name, torch.cat([t.images for t, _ in parts]),
                      {k: torch.cat([t.columns[k] for t, _ in parts]) for k in first.columns}, dict(first.classes),
                      identity=torch.cat(idents), masks=masks, partition=part,
                      ids=[f"p{i}_{r}" for i, r in enumerate(rows)])


def biased_faces(sc: BiasScenario, n_identities: int, per_identity: int, size: int, seed: int = 0,
                 held_out_identities: int | None = None) -> ImageTable:
    """Biased synthetic faces for training plus balanced held-out faces (half test, half unseen)."""
    base = {"images_per_identity": per_identity, "size": size, "masks": False}
    train = load_dataset("synthfaces", {**base, "n_identities": n_identities, "seed": seed, "joint": joint_option(sc)})
    n_held = held_out_identities or max(4, n_identities // 3)
    balanced = joint_option(sc, (1, 1, 1, 1))
    test = load_dataset("synthfaces", {**base, "n_identities": n_held, "seed": seed + 1000, "joint": balanced})
    unseen = load_dataset("synthfaces", {**base, "n_identities": n_held, "seed": seed + 2000, "joint": balanced})
    return concat_tables([(train, TRAIN), (test, TEST), (unseen, UNSEEN)])


@dataclass
class Curve:
    """Per-epoch live metrics of one cure (eod, dpd, aps, test_acc, ...) as lists, epoch 0 first."""

    points: list[dict] = field(default_factory=list)

    def progress(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        if stage in ("unlearn", "fine-tuning") and "eod" in metrics:
            self.points.append({"step": step, **metrics})


def fairness_now(model: nn.Module, splits: Splits, device: torch.device) -> dict[str, float]:
    """The live metrics (with EOD, DPD, APS) of ``model`` on the held-out split."""
    return evaluate(Evaluation(model, splits, device, live=True))


@dataclass
class DebiasSettings:
    n_identities: int = 120
    per_identity: int = 20
    size: int = 32
    model: str = "smallcnn"
    train: TrainSettings = field(default_factory=lambda: TrainSettings(epochs=6, lr=2e-3, batch_size=32))
    remover: dict = field(default_factory=dict)
    naive_lr: float = 0.0  # 0: the remover's model learning rate
    seed: int = 0


def run_debias(key: str, settings: DebiasSettings, device: torch.device) -> dict:
    """Train the biased model, then unlearn the bias feature and, separately, fine-tune naively."""
    sc = BIAS_SCENARIOS[key]
    table = biased_faces(sc, settings.n_identities, settings.per_identity, settings.size, settings.seed)
    splits = make_splits(table, sc.task, ForgetRequest(kind="attribute", column=sc.bias, value=1), settings.seed)
    seed_everything(settings.seed)
    c, h, _ = table.image_shape
    original = build_model(settings.model, ModelSpec(c, h, splits.task.out_dim))
    train_epochs(original, splits.loader("train", settings.train.batch_size, True, settings.seed), splits.task,
                 settings.train.epochs, settings.train.lr, device)
    before = fairness_now(original, splits, device)
    method_cls = METHODS.get("adversarial_remover")
    params = build_params(method_cls.Params, settings.remover, where="debias.remover")
    cured, naive = Curve([{"step": 0, **before}]), Curve([{"step": 0, **before}])
    ctx = _context(original, splits, device, settings, cured)
    seed_everything(settings.seed)
    unlearned = method_cls(params).unlearn(ctx)
    naive_ctx = _context(original, splits, device, settings, naive)
    seed_everything(settings.seed)
    finetune_on(naive_ctx.model, naive_ctx, "train", params.iterations // 2, settings.naive_lr or params.lr_model)
    for point in naive.points:  # epoch e of naive fine-tuning ~ iteration 2e of the remover (its e-th model pass)
        point["step"] *= 2
    return {"scenario": key, "title": sc.title, "task": sc.task, "bias": sc.bias, "sizes": splits.sizes(),
            "before": before, "unlearn": cured.points, "naive": naive.points,
            "after_unlearn": fairness_now(unlearned, splits, device),
            "after_naive": fairness_now(naive_ctx.model, splits, device),
            "after_unlearn_pipeline": fairness_now(RemoverFront(unlearned, ctx.artifacts["remover_model"]).eval(),
                                                   splits, device),
            "adversary_acc_raw": ctx.artifacts.get("adversary_acc_raw"),
            "adversary_acc_masked": ctx.artifacts.get("adversary_acc_masked")}


def _context(original: nn.Module, splits: Splits, device: torch.device, settings: DebiasSettings,
             curve: Curve) -> Context:
    return Context(model=copy.deepcopy(original).to(device), splits=splits, device=device, model_name=settings.model,
                   train=settings.train, seed=settings.seed, progress=curve.progress)
