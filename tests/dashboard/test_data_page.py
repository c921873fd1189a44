"""The Data & model page and its builders on a small synthetic-faces table and on digits."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.data import load_dataset
from core.models import MODELS
from dashboard.components.dataset_choice import MODEL_KEY
from dashboard.figures.dataset_view import balance_chart, balance_counts, identity_counts, table_facts
from tests.dashboard.test_pages import APP, TIMEOUT, texts
from tests.data.layouts import write_corrupt, write_image

SMALL = {"name": "synthfaces", "options": {"n_identities": 6, "images_per_identity": 4, "size": 32}}


def data_page(choice: dict | None = SMALL) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if choice:
        at.session_state["data.choice"] = choice
    at.switch_page("views/data.py")
    return at.run()


def test_builders_count_what_the_table_holds():
    table = load_dataset("synthfaces", SMALL["options"])
    facts = table_facts(table)
    assert facts["images"] == "24" and facts["people"] == "6" and facts["image"] == "32×32 px, 3 channels"
    counts = balance_counts(table, "Eyeglasses")
    assert counts["images"].sum() == 24 and list(counts["value"]) == table.classes["Eyeglasses"]
    assert int(counts["images"].iloc[1]) == int(table.columns["Eyeglasses"].sum())
    assert list(balance_chart(table, "Eyeglasses").data[0].y) == list(counts["images"])
    ids = identity_counts(table)
    assert len(ids) == 6 and set(ids["images"]) == {4}
    digits = load_dataset("digits", {"size": 8})
    assert identity_counts(digits).empty and table_facts(digits)["people"] == "–"
    assert facts["skipped"] == "0" and facts["skipped_note"] == ""


def test_data_page_shows_grid_balance_and_people(store):
    at = data_page()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric][:2] == ["24", "6"]
    assert at.get("image")  # the contact sheet
    keys = {e.key.split(".")[-1] for e in at.get("plotly_chart") if e.key}
    assert {"balance", "identities"} <= keys
    at.selectbox(key="data.balance_column").select("Smiling").run()
    frame = at.dataframe[0].value
    assert len(frame) == 2 and frame["images"].sum() == 24


def test_loading_digits_through_the_options_form(store):
    at = data_page()
    at.selectbox(key="data.name").select("digits").run()
    at.number_input(key="data.opts.digits.size").set_value(8)
    at.button[0].click().run()  # the form's Load button
    assert not at.exception
    assert at.session_state["data.choice"] == {"name": "digits", "options": {"size": 8}}
    assert [m.value for m in at.metric][:2] == ["1797", "–"]
    assert "no identities" in texts(at, "caption")


def test_a_reader_without_its_folder_shows_the_error(store, tmp_path):
    at = data_page({"name": "folder", "options": {"root": str(tmp_path / "missing")}})
    assert not at.exception
    assert "Could not load folder" in texts(at, "error")


def _folder_with_bad_images(root, bad: list[str]) -> dict:
    """A plain folder + CSV of five images, the named ones unreadable; returns the dataset choice."""
    files = [f"img{i}.png" for i in range(5)]
    for i, name in enumerate(files):
        write_image(root / name, i, size=(12, 12))
    for name in bad:
        write_corrupt(root / name)
    rows = "".join(f"{f},{'cat' if i % 2 else 'dog'}\n" for i, f in enumerate(files))
    (root / "labels.csv").write_text("file,animal\n" + rows)
    return {"name": "folder", "options": {"root": str(root), "size": 8}}


def test_skipped_images_are_counted_and_named(store, tmp_path):
    choice = _folder_with_bad_images(tmp_path, ["img1.png", "img3.png"])
    facts = table_facts(load_dataset(choice["name"], choice["options"]))
    assert facts["images"] == "3" and facts["skipped"] == "2"
    note = facts["skipped_note"]
    assert note.startswith("2 unreadable images skipped") and "img1.png, img3.png" in note
    at = data_page(choice)
    assert not at.exception, at.exception
    warning = texts(at, "warning")
    assert "2 unreadable images skipped" in warning and "img1.png, img3.png" in warning
    assert "img3.png: " in "\n".join(str(c.value) for c in at.code)  # the reason of each, in the expander


def test_the_model_is_chosen_and_kept_in_session_state(store):
    at = data_page()
    assert {"smallcnn", "resnet18"} <= set(MODELS.names())
    box = at.selectbox(key="data.model")
    assert box.value == "smallcnn" and set(box.options) == set(MODELS.names())
    box.select("resnet18").run()
    assert not at.exception and at.session_state[MODEL_KEY] == "resnet18"
    at.selectbox(key="data.balance_column").select("Smiling").run()  # another rerun keeps the choice
    assert at.session_state[MODEL_KEY] == "resnet18" and at.selectbox(key="data.model").value == "resnet18"
