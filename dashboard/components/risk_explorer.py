"""The Audit page's per-sample risk explorer: which forget images stay exposed after unlearning.

Reads what the worker computed (core/metrics/risk_table.py writes ``risk_table.json`` in the run folder; the
ε-score and attack costs are in the results document) and only draws it: the forget images ranked by the
ranking attack's score under a chosen model (unlearned, original or gold), each with its thumbnail, its
score and loss under the three models and its rank before/after; the selected image's saliency maps before
and after when the run's saliency audit explained it; the ε distribution when the ε-score ran.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

RISK_FILE = "risk_table.json"  # the name core/metrics/risk_table.py writes (doc["risk_table"]["file"])
EXPLORER_NOTE = ("Each row is one forget image. **Score** is the ranking attack's per-image membership score under "
                 "each model (higher: looks more like a training member); **rank** 1 is the most exposed image. An image "
                 "ranked high under the unlearned model but low under gold is one unlearning left exposed.")


def load_risk_table(results: dict | None, run_dir: Path) -> dict | None:
    """The run's risk table, or None when the run has none (no attacks with per-image scores, or an older run)."""
    info = (results or {}).get("risk_table")
    if not info:
        return None
    path = Path(run_dir) / info.get("file", RISK_FILE)
    return json.loads(path.read_text()) if path.is_file() else None


def risk_frame(table: dict, by: str, top: int | None = None) -> pd.DataFrame:
    """The forget images ranked by ``by``'s rank (1 first): thumbnail, rank/score/loss per model, saliency flag."""
    attack, models = table["attack"], table["models"]
    records = []
    for row in sorted(table["rows"], key=lambda r: r["rank"].get(by, 0)):
        rec = {"image": f"data:image/png;base64,{row['thumb']}" if row.get("thumb") else None, "row": row["row"],
               "person": row.get("unit")}
        for m in models:
            rec[f"rank {m}"] = row["rank"].get(m)
        for m in models:
            rec[f"score {m}"] = row["scores"].get(attack, {}).get(m)
        for m in models:
            rec[f"loss {m}"] = row["loss"].get(m)
        rec["saliency"] = "yes" if row.get("saliency_index") is not None else ""
        records.append(rec)
    frame = pd.DataFrame(records)
    return frame.head(top) if top else frame


def still_exposed(table: dict, k: int = 10) -> list[int]:
    """Rows in the unlearned model's top ``k`` that are *not* in the gold model's top ``k``: exposed by
    unlearning's leftovers, not by being easy images any model recognises."""
    after = table["after"]
    top_after = {r["row"] for r in table["rows"] if r["rank"].get(after, k + 1) <= k}
    top_gold = {r["row"] for r in table["rows"] if r["rank"].get("gold", k + 1) <= k}
    return sorted(top_after - top_gold)


def epsilon_histogram(eps: dict) -> go.Figure:
    """Per-example ε of the ε-score, with the resolution limit its model count implies."""
    values = [v for v in eps["epsilons"] if v is not None]
    fig = go.Figure(go.Histogram(x=values, nbinsx=30, name="ε per forget example", marker_color="#4c78a8"))
    fig.add_vline(x=eps["max_epsilon"], line_dash="dot",
                  annotation_text=f"largest ε {eps['n_models']} models resolve ≈ {eps['max_epsilon']:g}")
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 30, "b": 10}, showlegend=False,
                      xaxis_title="ε (0 = indistinguishable from retraining)", yaxis_title="forget examples")
    return fig


def _saliency_maps(run_dir: Path, index: int, models: list[str]) -> list[tuple[str, object]]:
    """(caption, image array) for the input and each model's GradCAM of saliency image ``index``."""
    import torch

    path = Path(run_dir) / "audit" / "saliency.pt"
    if not path.is_file():
        return []
    state = torch.load(path, weights_only=True)
    image = state["images"][index].permute(1, 2, 0).numpy()
    out = [("input", image[:, :, 0] if image.shape[2] == 1 else image)]
    by_model = state["maps"].get("task", {}).get("gradcam", {})
    out += [(f"GradCAM {m}", by_model[m][index].float().numpy()) for m in models if m in by_model]
    return out


def risk_explorer(results: dict | None, run_dir: Path) -> None:
    """The explorer section (draws nothing but a caption when the run has no risk table)."""
    import streamlit as st

    st.subheader("Per-sample risk explorer")
    table = load_risk_table(results, run_dir)
    if table is None:
        st.caption("This run has no per-image attack scores: add attacks to the scenario's evaluation.attacks "
                   "(loss, rmia, lira_online) to rank its forget images by exposure.")
        return
    models = table["models"]
    by = st.segmented_control("Rank by", models, default=table["after"], key="audit.risk_by") or table["after"]
    frame = risk_frame(table, by)
    st.markdown(f"**{table['n']} forget images** ranked by **{table['attack']}** under **{by}**")
    config = {"image": st.column_config.ImageColumn("Image"), "row": st.column_config.NumberColumn("Row")}
    config.update({c: st.column_config.NumberColumn(c, format="%.3f") for c in frame.columns
                   if c.startswith(("score", "loss"))})
    st.dataframe(frame, hide_index=True, column_config=config, key="audit.risk_table")
    st.caption(EXPLORER_NOTE)
    exposed = still_exposed(table)
    if exposed:
        st.markdown(f"Still exposed (top 10 after unlearning, not in gold's top 10): rows {', '.join(map(str, exposed))}")
    audited = [r for r in table["rows"] if r.get("saliency_index") is not None]
    if audited:
        pick = st.selectbox("Saliency before/after of", [r["row"] for r in audited], key="audit.risk_saliency",
                            format_func=lambda r: f"row {r}")
        row = next(r for r in audited if r["row"] == pick)
        maps = _saliency_maps(run_dir, row["saliency_index"], models)
        if maps:
            cols = st.columns(len(maps))
            for col, (caption, img) in zip(cols, maps):
                col.image(img, caption=caption, clamp=True, width="stretch")
    eps = (results or {}).get("epsilon")
    if eps:
        st.markdown(f"**ε-score** (NeurIPS'23 challenge): forgetting quality F = {eps['forget_quality']:.3f} "
                    f"[{eps['forget_quality_ci'][0]:.3f}, {eps['forget_quality_ci'][1]:.3f}], final score "
                    f"{eps['score']:.3f}, {eps['n_models']} models per side")
        st.plotly_chart(epsilon_histogram(eps), key="audit.risk_epsilon")
        st.caption(eps["note"])
