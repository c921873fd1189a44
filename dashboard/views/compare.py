"""Compare page: finished runs side by side — final metrics, utility against forgetting, and the
per-epoch curves overlaid — filtered by dataset, forget kind and method."""

from pathlib import Path

import streamlit as st

from core.runs import RunStore
from dashboard.components.compare import (FACETS, compare_table, curve_metrics, curves_chart, facet_values,
                                          filter_runs, short_label, tradeoff_chart)
from dashboard.components.glossary import METRIC_NOTES, metric_label
from dashboard.components.teaching import explain

RUN_PAGE = Path(__file__).with_name("run.py")
FACET_LABELS = {"dataset": "Dataset", "forget": "Forget kind", "method": "Method"}
TRADEOFF_NOTE = ("Each dot is one run's unlearned model. Up is more useful, left forgets better (the attacker is "
                 "closer to a coin toss). The crosses are the original and gold models: a good method lands near gold.")

st.title("Compare runs")
store = RunStore()
runs = store.list(status="succeeded")
if not runs:
    st.info("No finished run yet. Launch a few runs (different methods, say) and compare them here.")
    st.page_link(RUN_PAGE, label="Go to the Run page", icon=":material/play_circle:")
    st.stop()

values = facet_values(runs)
chosen = {}
for col, facet in zip(st.columns(len(FACETS)), FACETS):
    chosen[facet] = col.multiselect(FACET_LABELS[facet], values[facet], key=f"compare.{facet}",
                                    placeholder="any")
shown = filter_runs(runs, chosen)
by_id = {r.id: r for r in shown}
picked = st.multiselect("Runs", list(by_id), default=list(by_id)[:6], key="compare.runs",
                        format_func=lambda i: f"{short_label(by_id[i])} — {by_id[i].name}")
selected = [by_id[i] for i in picked if i in by_id]
if not selected:
    st.info("No run matches: widen the filters or pick runs above.")
    st.stop()

st.subheader("Final metrics")
table = compare_table(selected)
config = {c: st.column_config.NumberColumn(metric_label(c), help=METRIC_NOTES.get(c), format="%.3f")
          for c in table.columns if c in METRIC_NOTES or c not in ("run", "id", "role", *FACETS)}
st.dataframe(table, hide_index=True, column_config=config, key="compare.table")
st.caption("One row per run's unlearned model; the original and gold rows of the first run are the reference.")
for name in (c for c in table.columns if c in METRIC_NOTES):
    explain(f"**{metric_label(name)}:** {METRIC_NOTES[name]}")

st.subheader("Utility against forgetting")
st.plotly_chart(tradeoff_chart(selected), key="compare.tradeoff", config={"displaylogo": False})
explain(TRADEOFF_NOTE)

st.subheader("Per-epoch curves")
events = {r.id: store.events(r.id) for r in selected}
options = curve_metrics(events)
if not options:
    st.caption("None of these runs reported per-epoch metrics.")
    st.stop()
metric = st.segmented_control("Metric", options, default=options[0], format_func=metric_label,
                              key="compare.metric") or options[0]
st.plotly_chart(curves_chart(selected, events, metric), key="compare.curves", config={"displaylogo": False})
explain(METRIC_NOTES.get(metric, ""))
