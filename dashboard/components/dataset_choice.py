"""The dataset and model the user chose on the Data page, shared with the Forget page, and the cached table.

The dataset choice (name + options) lives in ``st.session_state`` under :data:`KEY`, the model's name
under :data:`MODEL_KEY` (plain keys, not widget keys, so they survive moving between pages); until
the user picks, both are the default scenario's. Tables are cached per (name, options) with
``st.cache_resource``: pages only read them, never modify them.
"""

from __future__ import annotations

import copy
import json

import streamlit as st

from core import paths
from core.config import DEFAULT_SCENARIO
from core.data import ImageTable, load_dataset

KEY = "data.choice"
MODEL_KEY = "data.model_choice"
CHECKPOINT_KEY = "data.checkpoint_choice"  # the user's own original model, checked on the Data page


def chosen_dataset() -> dict:
    """``{"name": ..., "options": {...}}`` chosen on the Data page, else the default scenario's dataset."""
    return copy.deepcopy(st.session_state.get(KEY) or DEFAULT_SCENARIO["dataset"])


def choose_dataset(name: str, options: dict) -> None:
    st.session_state[KEY] = {"name": name, "options": dict(options)}


def chosen_model() -> str:
    """The registered model name chosen on the Data page, else the default scenario's model."""
    return str(st.session_state.get(MODEL_KEY) or DEFAULT_SCENARIO["model"])


def choose_model(name: str) -> None:
    st.session_state[MODEL_KEY] = name


def chosen_checkpoint() -> str:
    """The checkpoint path checked on the Data page ('' = the runs train their own original)."""
    return str(st.session_state.get(CHECKPOINT_KEY) or "")


def choose_checkpoint(path: str) -> None:
    st.session_state[CHECKPOINT_KEY] = path


@st.cache_resource(max_entries=4, show_spinner="Loading the dataset…")
def _load(name: str, options_json: str) -> ImageTable:
    return load_dataset(name, json.loads(options_json), paths.cache_dir())


def load_table(name: str, options: dict) -> ImageTable:
    """The table for ``name`` with ``options`` (DataError/ParamError/ValueError for bad input)."""
    return _load(name, json.dumps(options, sort_keys=True, default=str))
