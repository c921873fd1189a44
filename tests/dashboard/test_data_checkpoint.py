"""The Data & model page checks a user's checkpoint before any run: parameters, sha256, accuracies; a
wrong file is refused on the page, and the choice reaches the Forget page's scenario."""

from __future__ import annotations

import torch

from core.models import ModelSpec, build_model
from core.models.checkpoint_import import parameter_count, save_upload
from core.training import file_sha256
from dashboard.components.dataset_choice import CHECKPOINT_KEY
from tests.dashboard.test_data_page import SMALL, data_page
from tests.dashboard.test_pages import texts


def _check(at, path: str):
    at.text_input(key="data.checkpoint_path").input(path)
    next(b for b in at.button if b.label == "Check and use").click()
    return at.run()


def test_a_checkpoint_is_checked_and_chosen(store, tmp_path):
    from core.data import load_dataset

    table = load_dataset("synthfaces", SMALL["options"])
    model = build_model("smallcnn", ModelSpec(3, 32, table.num_classes("age_group")))
    path = tmp_path / "mine.pt"
    torch.save(model.state_dict(), path)
    at = _check(data_page(), str(path))
    assert not at.exception and at.session_state[CHECKPOINT_KEY] == str(path)
    shown = {m.label: m.value for m in at.metric}
    assert shown["Parameters"] == f"{parameter_count(model):,}" and "Test accuracy" in shown
    assert any(file_sha256(path) in c.value for c in at.caption)


def test_a_wrong_checkpoint_is_refused_on_the_page(store, tmp_path):
    path = tmp_path / "other.pt"
    torch.save(build_model("smallcnn", ModelSpec(3, 32, 17)).state_dict(), path)
    at = _check(data_page(), str(path))
    assert not at.exception and "has shape" in texts(at, "error") and "predicts 17 classes" in texts(at, "error")
    assert not at.session_state[CHECKPOINT_KEY]


def test_uploads_are_kept_under_unlearn_home(unlearn_home):
    saved = save_upload("my model (v2).pt", b"weights")
    assert saved.parent == unlearn_home / "uploads" and saved.name.endswith("-my_model_v2_.pt")
    assert save_upload("my model (v2).pt", b"weights") == saved and saved.read_bytes() == b"weights"
