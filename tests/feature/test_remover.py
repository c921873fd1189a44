"""The remover learns to hide a planted feature from a trained adversary."""

import torch
from torch.utils.data import DataLoader, TensorDataset

from core.data.forget import ForgetRequest
from core.data.splits import make_splits
from core.methods.adversarial_remover import remover_epoch
from core.methods.unet_remover import RemoverFront, UNetRemover
from core.models import ModelSpec, build_model
from core.task import Task
from core.training import predict_logits, train_epochs


def test_unet_mask_shape_and_near_identity_start():
    remover = UNetRemover(3, width=4)
    x = torch.rand(2, 3, 18, 14)  # odd sizes: pooling floors, the decoder must still match
    m = remover.mask(x)
    assert m.shape == (2, 1, 18, 14) and bool(((m > 0) & (m < 1)).all())
    assert m.mean() > 0.9  # starts close to passing images through


def test_remover_lowers_a_planted_adversarys_accuracy(faces):
    splits = make_splits(faces, "top", ForgetRequest(kind="attribute", column="mouth"), seed=0)
    device = torch.device("cpu")
    x, y = splits.tensors("train")
    f = faces.columns["mouth"][splits.train].unsqueeze(1)
    adv_task = Task(("mouth",), (2,))
    torch.manual_seed(0)
    adversary = build_model("smallcnn", ModelSpec(3, 16, 2))
    train_epochs(adversary, DataLoader(TensorDataset(x, f), batch_size=16, shuffle=True), adv_task, 3, 2e-3, device)
    model = build_model("smallcnn", ModelSpec(3, 16, 2))
    train_epochs(model, splits.loader("train", 16, True, 0), splits.task, 2, 2e-3, device)

    def adversary_acc(inputs):
        return adv_task.correct(predict_logits(adversary, inputs, device), f).mean().item()

    before = adversary_acc(x)
    assert before > 0.9
    remover = UNetRemover(3, width=8)
    opt = torch.optim.Adam(remover.parameters(), lr=5e-3)
    loader = DataLoader(TensorDataset(x, y, f), batch_size=16, shuffle=True, generator=torch.Generator().manual_seed(0))
    for _ in range(4):
        stats = remover_epoch(remover, model, splits.task, adversary, adv_task, loader, opt, device,
                              beta=1.0, lam=5.0, adversary_loss="uniform")
    remover.eval()
    with torch.no_grad():
        after = adversary_acc(remover(x))
    assert after < before - 0.15, (before, after, stats)
    # and it dims the planted feature's region more than the rest of the image
    region = faces.masks["mouth"][splits.train].unsqueeze(1)
    with torch.no_grad():
        m = remover.mask(x)
    assert m[region].mean() < m[~region].mean() - 0.03
    # the model, frozen during remover steps, is unchanged and still solves the task on masked images
    front = RemoverFront(model, remover).eval()
    assert splits.task.correct(predict_logits(front, x, device), y).mean() > 0.8
