"""Filter groups page: a pattern-unlearning run's identifier — eigenvalue spectrum with the chosen K,
the grouped filter-similarity matrix, each group's activation maps (named from ground-truth masks on
synthetic data, with the overlap numbers behind the names) — and a button that unlearns a group with
the same scenario and this run's saved identifier, so the erased group is exactly the one shown."""

import copy
from pathlib import Path

import streamlit as st

from core.artifacts import RunArtifacts
from core.methods.pattern.explorer import GroupExplorer
from core.config import Scenario, scenario_from_dict
from core.runs import RunStore
from dashboard.components.audit_section import audit_sections
from dashboard.components.launch_block import buildable, launch_button
from dashboard.components.teaching import explain, url_params

FORGET_PAGE = Path(__file__).with_name("forget.py")

st.title("Filter groups")
st.caption("Without annotations, an identifier model groups its filters; each group tends to fire on one "
           "pattern (a mouth, glasses). Pick the group to forget.")
store = RunStore()
runs = [r for r in store.list(status="succeeded") if RunArtifacts(store.runs_root / r.id).explorer_folder]
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
art = RunArtifacts.from_store(store, run.id)
audit_sections(art, key="groups", method="pattern_unlearning", titled=False)  # the same section the Audit page and report show
doc = GroupExplorer.load(art.explorer_folder).doc
k = len(doc.get("group_sizes", []))

group = st.selectbox("Group to unlearn", range(k), key="groups.choice",
                     format_func=lambda g: f"group {g}" + (f" ({doc['names'][str(g)]})" if doc.get("names", {}).get(str(g)) else ""))


def group_scenario() -> Scenario:
    """The shown run's scenario, unlearning the chosen group with that run's saved identifier."""
    config = copy.deepcopy(run.config)
    params = {**config["method"].get("params", {}), "group": int(group), "identifier_run": run.id}
    return scenario_from_dict({**config, "method": {"name": "pattern_unlearning", "params": params}})


launch_button(buildable(group_scenario), "groups", label=f"Unlearn group {group}",
              name=f"Forget filter group {group} · pattern_unlearning · {run.config['dataset']['name']}")
