"""Filter groups page: a pattern-unlearning run's identifier — eigenvalue spectrum with the chosen K,
the grouped filter-similarity matrix, each group's activation maps (named from ground-truth masks on
synthetic data, with the overlap numbers behind the names) — and a button that unlearns a group with
the same scenario and this run's saved identifier, so the erased group is exactly the one shown."""

import copy
from pathlib import Path

import streamlit as st

from core.methods.pattern.explorer import NAME_LIFT, GroupExplorer
from core.methods.pattern.figures import group_maps_figure, overlap_figure, similarity_figure, spectrum_figure
from core.runs import RunStore, launch
from dashboard.components.figure_layout import PLOT_CONFIG, spaced_ticks
from dashboard.components.launch_redirect import go_to_run
from dashboard.components.teaching import explain, url_params

FORGET_PAGE = Path(__file__).with_name("forget.py")

st.title("Filter groups")
st.caption("Without annotations, an identifier model groups its filters; each group tends to fire on one "
           "pattern (a mouth, glasses). Pick the group to forget.")
store = RunStore()
runs = [r for r in store.list(status="succeeded") if (store.runs_root / r.id / "filter_groups" / "explorer.json").exists()]
if not runs:
    st.info("No filter groups yet. On the Forget page choose **A visual pattern** as what to forget and launch "
            "**pattern_unlearning**: it trains an identifier, finds the filter groups and stores them for this page.")
    st.page_link(FORGET_PAGE, label="Forget a visual pattern", icon=":material/person_remove:",
                 query_params={"kind": "pattern", **url_params()})
    explain("A filter group is a set of the network's filters that fire together on one part of the image; "
            "erasing a group's pixels and fine-tuning makes the model forget that pattern.")
    st.stop()

wanted = st.query_params.get("run")
ids = [r.id for r in runs]
run = runs[st.selectbox("Identifier run", range(len(runs)), format_func=lambda i: f"{runs[i].id} · {runs[i].name}",
                        index=ids.index(wanted) if wanted in ids else 0, key="groups.run")]
explorer = GroupExplorer.load(store.runs_root / run.id / "filter_groups")
doc, arrays = explorer.doc, explorer.arrays
k = len(doc.get("group_sizes", []))

st.subheader(f"Number of groups: K = {k} (eigengap)")
st.plotly_chart(spectrum_figure(doc["eigengap"]), key="groups.spectrum", config=PLOT_CONFIG)
explain("The Laplacian's sorted eigenvalues; the largest gap after the first K values says the filters form K groups.")
st.subheader("Filter similarity, ordered by group")
st.plotly_chart(spaced_ticks(similarity_figure(arrays["similarity_ordered"], doc["group_sizes"])), key="groups.similarity",
                config=PLOT_CONFIG)
explain("Pearson correlation of two filters' activations + 1; bright blocks on the diagonal are groups.")
st.subheader("Where each group fires")
st.plotly_chart(group_maps_figure(arrays["images"], arrays["group_maps"], doc.get("names")), key="groups.maps",
                config=PLOT_CONFIG)
explain("Each group's activation map over sample images; on synthetic faces a group is named after the "
        "attribute mask it overlaps most.")
if doc.get("area"):
    st.subheader("Overlap with the ground-truth masks")
    st.plotly_chart(spaced_ticks(overlap_figure(doc["overlap"], doc["area"], doc.get("names"))), key="groups.overlap",
                    config=PLOT_CONFIG)
    explain("Share of each group's activation inside each attribute's mask, and its lift over a uniform map "
            f"(the mask's area); a group is named after a mask it lifts at least {NAME_LIFT}×.")

group = st.selectbox("Group to unlearn", range(k), key="groups.choice",
                     format_func=lambda g: f"group {g}" + (f" ({doc['names'][str(g)]})" if doc.get("names", {}).get(str(g)) else ""))
if st.button(f"Unlearn group {group}", type="primary", key="groups.launch"):
    config = copy.deepcopy(run.config)
    params = {**config["method"].get("params", {}), "group": int(group), "identifier_run": run.id}
    config["method"] = {"name": "pattern_unlearning", "params": params}
    new_id = launch(store, config, f"Forget filter group {group} · pattern_unlearning · {config['dataset']['name']}")
    go_to_run(new_id)
