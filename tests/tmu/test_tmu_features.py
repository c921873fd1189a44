"""NF, AF and CF on planted cases: an outlier of its class has a larger NF, a sample on the decision
boundary a larger AF, a sample whose label contradicts its image a larger CF."""

from __future__ import annotations

import torch
from torch import nn

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.tmu.curriculum import curriculum_feature, train_curriculum_model
from core.methods.tmu.features import adversarial_feature, feature_matrix, knn_mean_distance, nearest_feature
from core.task import Task
from core.training import predict_logits
from tests.tmu.toy import make_context, people_table

CPU = torch.device("cpu")


class Flat(nn.Module):
    """A 'model' whose penultimate embedding is the flattened image: distances are pixel distances."""

    def penultimate(self, x: torch.Tensor) -> torch.Tensor:
        return x.flatten(1)


class Linear2(nn.Module):
    """Two-pixel images, logits (x0 - x1, x1 - x0) * 10: the boundary is x0 = x1."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        d = (x[:, 0, 0, 0] - x[:, 0, 0, 1]) * 10
        return torch.stack([d, -d], 1)


def test_knn_mean_distance_averages_the_k_nearest():
    bank = torch.tensor([[0.0], [1.0], [2.0], [10.0]])
    assert knn_mean_distance(torch.tensor([[0.0]]), bank, k=2).item() == 0.5
    assert knn_mean_distance(bank, bank, k=1, exclude_self=True).tolist() == [1.0, 1.0, 1.0, 8.0]


def test_nf_is_larger_for_a_sample_far_from_its_class():
    g = torch.Generator().manual_seed(0)
    bank_x = torch.cat([0.2 + 0.02 * torch.randn(20, 1, 2, 2, generator=g),
                        0.8 + 0.02 * torch.randn(20, 1, 2, 2, generator=g)])
    bank_y = torch.tensor([0] * 20 + [1] * 20)
    x = torch.stack([bank_x[0] + 0.01, torch.full((1, 2, 2), 0.7)])  # typical class-0 sample; class-0 outlier
    nf = nearest_feature(Flat(), x, torch.tensor([0, 0]), bank_x, bank_y, CPU, k=5)
    assert nf[1] > 5 * nf[0]


def test_nf_compares_only_with_the_same_class():
    bank_x = torch.tensor([0.0, 0.1, 0.2, 1.0, 1.1, 1.2]).view(6, 1, 1, 1)
    bank_y = torch.tensor([0, 0, 0, 1, 1, 1])
    x = torch.tensor([1.0]).view(1, 1, 1, 1)  # sits on class 1's data but is labelled 0
    nf = nearest_feature(Flat(), x, torch.tensor([0]), bank_x, bank_y, CPU, k=2)
    assert nf.item() > 5


def test_af_is_larger_on_the_decision_boundary():
    x = torch.tensor([[0.52, 0.48], [0.95, 0.05]]).view(2, 1, 1, 2)  # near x0 = x1; far from it
    y = torch.tensor([[0], [0]])
    af = adversarial_feature(Linear2(), Task(("y",), (2,)), x, y, CPU, eps=0.05, steps=5)
    assert af[0] > 0.5 and af[1] < 1e-3


def test_af_is_zero_without_budget():
    x = torch.tensor([[0.52, 0.48]]).view(1, 1, 1, 2)
    af = adversarial_feature(Linear2(), Task(("y",), (2,)), x, torch.tensor([[0]]), CPU, eps=0.0, steps=3)
    clean = Linear2()(x).softmax(1)
    assert torch.allclose(af, -(clean * clean.log()).sum(1), atol=1e-5)  # CE(p, p) = entropy


def test_cf_is_larger_for_samples_whose_label_contradicts_the_image():
    splits = make_splits(people_table(), "y", ForgetRequest(kind="class_subset", column="y", value=0, fraction=0.3),
                         seed=0, test_fraction=0.2, unseen_fraction=0.2)
    ctx = make_context(splits, None)
    model = train_curriculum_model(ctx, torch.zeros(0, 3, 16, 16), torch.zeros(0, 1, dtype=torch.long), 1, 0.5,
                                   torch.Generator().manual_seed(0))
    x, y = splits.tensors("test")
    # batch-norm statistics are re-estimated, so the briefly trained model is usable in eval mode
    assert splits.task.correct(predict_logits(model, x, CPU), y).mean() > 0.8
    right = curriculum_feature(model, splits.task, x, y, CPU)
    wrong = curriculum_feature(model, splits.task, x, (y + 1) % 3, CPU)
    assert right.mean() < wrong.mean() and (right < wrong).float().mean() > 0.8


def test_feature_matrix_orders_columns_and_logs_losses():
    m = feature_matrix(torch.tensor([1.0]), torch.tensor([0.0]), torch.tensor([torch.e - 1]))
    assert m.tolist() == [[1.0, 0.0, 1.0]]
