"""Compare page: finished runs of one scenario side by side — final metrics beside that scenario's
original and gold models, utility against forgetting, and the per-epoch curves overlaid.

Runs are grouped by scenario (``compare_groups``): only runs that asked the same question on the same
data are compared, each group with its own reference rows. Within a group, runs can be filtered by method.
"""

from pathlib import Path

import streamlit as st

from core.runs import RunStore
from dashboard.figures.compare import curve_metrics, curves_chart, facet_values, filter_runs, short_label, tradeoff_chart
from dashboard.figures.compare_groups import scenario_groups, group_table
from dashboard.figures.figure_layout import PLOT_CONFIG, legend_below
from dashboard.components.glossary import METRIC_NOTES, metric_label
from dashboard.components.kept_state import keep, remember
from dashboard.components.metric_table import metric_table
from dashboard.components.teaching import explain

FORGET_PAGE = Path(__file__).with_name("forget.py")
TRADEOFF_NOTE = ("Each dot is one run's unlearned model. Up is more useful, left forgets better (the attacker is "
                 "closer to a coin toss). The crosses are this scenario's original and gold models: a good method "
                 "lands near gold.")

st.title("Compare runs")
store = RunStore()
runs = store.list(status="succeeded")
if not runs:
    st.info("No finished run yet. Launch a few runs of the same request (different methods, say) and compare them here.")
    st.page_link(FORGET_PAGE, label="Build a request on the Forget page", icon=":material/person_remove:")
    st.stop()

groups = scenario_groups(runs)
by_key = {g.key: g for g in groups}
remember("compare.group", groups[0].key, list(by_key))
key = st.selectbox("Scenario", list(by_key), key="compare.group",
                   format_func=lambda k: f"{by_key[k].title} ({len(by_key[k].runs)} run{'s' if len(by_key[k].runs) > 1 else ''})",
                   help="Runs are compared only with runs of the same scenario: same data, task, forget request, "
                   "model, training and seed, so they share one original and one gold model.")
keep("compare.group")
group = by_key[key]
methods = facet_values(group.runs)["method"]
chosen_methods = st.multiselect("Method", methods, key="compare.method", placeholder="any")
shown = filter_runs(group.runs, {"method": chosen_methods})
by_id = {r.id: r for r in shown}
picked = st.multiselect("Runs", list(by_id), default=list(by_id)[:6], key=f"compare.runs.{hash(key) & 0xffff:x}",
                        format_func=lambda i: f"{short_label(by_id[i])} — {by_id[i].name}")
selected = [by_id[i] for i in picked if i in by_id]
if not selected:
    st.info("No run matches: widen the method filter or pick runs above.")
    st.stop()

st.subheader("Final metrics")
metric_table(group_table(selected), key="compare.table", label_column="run", text={"method": "Method"},
             hidden=("id", "role", "dataset", "forget"),  # the same in a group
             caption="One row per run's unlearned model, then this scenario's references, which every run here "
                     "shares: the original model (trained on everything) and the gold model (retrained without the "
                     "forget set).")

st.subheader("Utility against forgetting")
st.plotly_chart(legend_below(tradeoff_chart(selected)), key="compare.tradeoff", config=PLOT_CONFIG)
explain(TRADEOFF_NOTE)

st.subheader("Per-epoch curves")
events = {r.id: store.events(r.id) for r in selected}
options = curve_metrics(events)
if not options:
    st.caption("None of these runs reported per-epoch metrics.")
    st.stop()
metric = st.segmented_control("Metric", options, default=options[0], format_func=metric_label,
                              key="compare.metric") or options[0]
st.plotly_chart(legend_below(curves_chart(selected, events, metric)), key="compare.curves", config=PLOT_CONFIG)
explain(METRIC_NOTES.get(metric, ""))
