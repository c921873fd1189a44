"""Sweeps page: every sweep in the store; for the chosen one its trial table, a parallel-coordinates plot
of axes and metrics, the test-accuracy vs forgetting vs time Pareto front, and a cancel button.

Sweeps are started from the command line (``unlearn sweep SWEEP.yaml``): they run on Ray, which the
dashboard does not start. Each trial is also a normal run, so it opens on the Run, Audit and Compare pages."""

from pathlib import Path

import pandas as pd
import streamlit as st

from core.sweep.store import SweepStore
from core.sweep.summary import trial_rows
from dashboard.components.safe_text import md
from dashboard.figures.sweep_figures import parallel_coordinates, pareto_figure, pareto_front, scored
from dashboard.components.teaching import explain

RUN_PAGE = Path(__file__).with_name("run.py")

st.title("Sweeps")
sweeps = SweepStore()
found = sweeps.list()
if not found:
    st.info("No sweep yet. Write a SWEEP.yaml (a base scenario and the axes to vary) and run "
            "`unlearn sweep SWEEP.yaml`; its trials appear here and on the Runs page.")
    st.stop()

by_id = {s.id: s for s in found}
chosen = st.selectbox("Sweep", list(by_id), key="sweeps.pick",
                      format_func=lambda i: f"{by_id[i].name} · {i} ({by_id[i].status})")
sweep = by_id[chosen]
axes = list(sweep.spec["axes"])
rows = trial_rows(sweeps, sweep.id)
counts = pd.Series([r["status"] for r in rows]).value_counts().to_dict()
st.caption(md(f"{len(rows)} trials ({sweep.spec.get('mode', 'grid')} over {', '.join(axes)}): "
              + ", ".join(f"{n} {s}" for s, n in counts.items())))

cols = st.columns([1, 4], vertical_alignment="center")
if cols[0].button("Cancel sweep", key="sweeps.cancel", icon=":material/stop_circle:",
                  disabled=sweep.status != "running" or sweep.cancel,
                  help="Running trials stop; finished trials stay"):
    sweeps.request_cancel(sweep.id)
    st.toast("Cancel requested: the sweep's running trials stop, finished ones stay.")
cols[1].caption(md(f"Export to MLflow: `unlearn export mlflow --sweep {sweep.id}`"))

table = pd.DataFrame(rows)
front = set(pareto_front(rows))
table.insert(3, "pareto", [r["trial"] in front for r in rows])
st.dataframe(table, hide_index=True, key="sweeps.table",
             column_config={"pareto": st.column_config.CheckboxColumn("Pareto", help="on the Pareto front")})
explain("Each row is one trial: its axis values, its latest run's status and the unlearned model's final metrics. "
        "A trial re-run (after a failure, by running the sweep again) shows its newest run.")
if not scored(rows):
    st.info("No trial has finished with metrics yet.")
    st.stop()
st.plotly_chart(parallel_coordinates(rows, axes), key="sweeps.parcoords")
explain("Each line is a finished trial; drag along an axis to keep only the lines passing through that range.")
st.plotly_chart(pareto_figure(rows, axes), key="sweeps.pareto")
explain("A trial is on the Pareto front when no other trial is at least as good on all three of test accuracy "
        "(higher), forgetting score and unlearning time (lower) and better on one.")
ids = [r["run_id"] for r in rows if r["run_id"]]
opened = st.selectbox("Open a trial's run", ids, key="sweeps.open", index=None, placeholder="choose a run")
if opened:
    st.switch_page(RUN_PAGE, query_params={"run": opened})
