"""Data & model page: choose a dataset (built-in or a reader with a folder path), set its options,
and look at it — images with labels, balance per column, images per person — before forgetting;
and choose the model the Forget page's runs train and unlearn."""

from pathlib import Path

import streamlit as st

from core.config import DEFAULT_SCENARIO
from core.data import DATASETS, DataError
from core.data.preview import grid_image
from core.models import MODELS
from core.params import ParamError
from core.models.checkpoint_import import CheckpointError, inspect_checkpoint, save_upload
from dashboard.components.dataset_choice import (choose_checkpoint, choose_dataset, choose_model, chosen_checkpoint,
                                                 chosen_dataset, chosen_model, load_table)
from dashboard.figures.dataset_view import balance_chart, balance_counts, identity_chart, table_facts
from dashboard.components.param_form import param_inputs
from dashboard.components.safe_text import md
from dashboard.components.teaching import explain

FORGET_PAGE = Path(__file__).with_name("forget.py")
BUILT_IN = ("synthfaces", "digits")
BALANCE_NOTE = ("How many images carry each value. A strongly unbalanced column is easy to predict by always "
                "guessing the common value, so compare accuracies with that rate.")
SKIPPED_SHOWN = 20
CHECKPOINT_NOTE = ("Audit a model you trained yourself: a state dict (torch.save(model.state_dict(), PATH), or "
                   "safetensors) of the model chosen above, for this dataset and task. The Forget page's runs then "
                   "start from it instead of training an original; the gold model is still retrained without the "
                   "forget set. Its BatchNorm statistics are re-estimated on the train split, as for every model scored.")
IDENTITY_NOTE = ("Identity unlearning removes every image of a person; people with many images are harder to forget.")

st.title("Data & model")
current = chosen_dataset()
entries = {e.name: e for e in DATASETS.entries()}
names = [n for n in BUILT_IN if n in entries] + sorted(n for n in entries if n not in BUILT_IN)
name = st.selectbox("Dataset", names, index=names.index(current["name"]) if current["name"] in names else 0,
                    key="data.name", format_func=lambda n: f"{n} (built-in)" if n in BUILT_IN else f"{n} (reader: your files)")
st.caption(entries[name].description)
with st.form("data.options"):
    st.markdown("**Options**" + ("" if name in BUILT_IN else " — `root` is the folder holding the dataset's files"))
    options = param_inputs(entries[name].obj.Options, key=f"data.opts.{name}")
    submitted = st.form_submit_button("Load", type="primary", icon=":material/download:")
if submitted:
    choose_dataset(name, options)
    current = chosen_dataset()
if current["name"] != name:
    st.info(f"Showing {current['name']} (chosen earlier). Press Load to switch to {name}.")

try:
    table = load_table(current["name"], current["options"])
except (DataError, ParamError, ValueError, OSError) as exc:
    st.error(f"Could not load {md(current['name'])}: {md(exc)}")
    st.stop()

facts = table_facts(table)
with st.container(horizontal=True, gap="medium"):  # cards as wide as their text, wrapping: never "32×3…"
    for label, value in [(k, facts[k]) for k in ("images", "people", "image", "columns")]:
        st.metric(label.capitalize(), value, border=True, width="content")
st.caption(f"Ground-truth masks: {facts['masks']}. This dataset is used by the Forget page.")
if facts["skipped_note"]:
    st.warning(f"{md(facts['skipped_note'])}. They are left out of every split; fix or remove the files and Load again.")
    with st.expander(f"Why each of the first {min(SKIPPED_SHOWN, len(table.skipped))} skipped files failed"):
        st.code("\n".join(table.skipped[:SKIPPED_SHOWN]), language=None)
st.page_link(FORGET_PAGE, label="Build a forget request on it", icon=":material/person_remove:")

st.subheader("Images and labels")
columns = list(table.columns)
shown = st.multiselect("Labels under each image", columns, default=columns[:4], key="data.labels")
st.image(grid_image(table, n=16, columns=shown), caption=f"16 images spread over {table.name}")

st.subheader("Balance per column")
column = st.selectbox("Column", columns, key="data.balance_column")
st.plotly_chart(balance_chart(table, column), key="data.balance", config={"displaylogo": False})
explain(BALANCE_NOTE)
st.dataframe(balance_counts(table, column), hide_index=True, key="data.balance_table",
             column_config={"share": st.column_config.NumberColumn(format="%.2f")})

st.subheader("People")
if table.identity is None:
    st.caption("This dataset has no identities: identity unlearning is not available on it.")
else:
    st.plotly_chart(identity_chart(table), key="data.identities", config={"displaylogo": False})
    explain(IDENTITY_NOTE)

st.subheader("Model")
st.caption("The network trained on this data (original and gold) and then unlearned; the Forget page's runs use "
           f"the one chosen here (the default scenario uses `{DEFAULT_SCENARIO['model']}`).")
models = {e.name: e for e in MODELS.entries()}
model_names = list(models)
current_model = chosen_model()
model = st.selectbox("Model", model_names, key="data.model",
                     index=model_names.index(current_model) if current_model in model_names else 0)
choose_model(model)
st.caption(models[model].description)

st.subheader("Your own trained model (optional)")
explain(CHECKPOINT_NOTE)
with st.form("data.checkpoint"):
    path = st.text_input("Checkpoint path on this machine (.pt, .pth, .safetensors)", value=chosen_checkpoint(),
                         key="data.checkpoint_path")
    upload = st.file_uploader("…or upload one", type=["pt", "pth", "safetensors"], key="data.checkpoint_upload")
    ckpt_task = st.selectbox("Task it was trained for", columns, key="data.checkpoint_task",
                             index=columns.index(DEFAULT_SCENARIO["task"]) if DEFAULT_SCENARIO["task"] in columns else 0)
    check = st.form_submit_button("Check and use", icon=":material/fact_check:")
if check:
    try:
        if upload is not None:
            path = str(save_upload(upload.name, upload.getvalue()))
        if not path:
            choose_checkpoint("")
            st.info("No checkpoint: the runs train their own original model.")
        else:
            with st.spinner("Loading the checkpoint and scoring it on the splits…"):
                info = inspect_checkpoint(path, table, ckpt_task, model)
            choose_checkpoint(info["path"])
            st.session_state["data.checkpoint_info"] = info
    except (CheckpointError, DataError, ValueError, OSError) as exc:
        choose_checkpoint("")
        st.session_state.pop("data.checkpoint_info", None)
        st.error(md(exc))
info = st.session_state.get("data.checkpoint_info")
if chosen_checkpoint() and info and info["path"] == chosen_checkpoint():
    cols = st.columns(4)
    cols[0].metric("Parameters", f"{info['parameters']:,}")
    for col, split in zip(cols[1:], ("train", "test", "unseen")):
        col.metric(f"{split.capitalize()} accuracy", f"{info['accuracy'].get(split, float('nan')):.3f}")
    st.caption(f"Loaded {md(info['path'])} for `{md(info['model'])}` on task `{md(info['task'])}` · sha256 "
               f"`{info['sha256']}`. The Forget page's runs start from it (pick the same task there).")
