"""Audit page: what a finished run really changed — metrics beside original and gold, the saliency
grids and mask shares the worker computed, the sections its method registered (TMU's split,
detachment's reconstructions and sweep, the filter groups: ``core/methods/*/audit.py``), the
membership-attack ROC, and the HTML audit report."""

from pathlib import Path

import streamlit as st

from core.artifacts import RunArtifacts
from core.methods.audit_sections import image_paths
from core.report.document import write_report
from core.runs import RunStore
from dashboard.figures.audit import (GRID_NOTE, ROC_NOTE, SHARE_NOTE, audit_grids, other_figures, roc_chart,
                                        roc_curves, share_table)
from dashboard.components.audit_section import audit_sections
from dashboard.figures.figure_layout import PLOT_CONFIG
from dashboard.components.glossary import RESULTS_NOTE
from dashboard.components.metric_table import metric_table
from dashboard.components.risk_explorer import risk_explorer
from dashboard.components.run_picker import pick_succeeded_run
from dashboard.components.tables import results_table
from dashboard.components.verdict_view import carrying_metrics, verdict_first
from dashboard.components.teaching import explain

RUN_PAGE = Path(__file__).with_name("run.py")

st.title("Audit")
st.caption("Check that the model really forgot, and what it cost: numbers, where the models look, and the attack.")
store = RunStore()
run = pick_succeeded_run(store, key="audit.run")
if run is None:
    st.info("No finished run yet. Launch one on the Run page; when it succeeds its audit appears here.")
    st.page_link(RUN_PAGE, label="Go to the Run page", icon=":material/play_circle:")
    st.stop()

art = RunArtifacts.from_store(store, run.id)
run_dir = art.folder
st.download_button("Download audit report", data=lambda: write_report(store, run.id).read_bytes(),
                   file_name=f"audit-{run.id}.html", mime="text/html", icon=":material/download:",
                   key="audit.report", help="One self-contained HTML file: scenario, metrics, curves and saliency grids.")

verdict_first(run.results, key="audit")

st.subheader("Metrics")
metric_table(results_table(run.results), key="audit.metrics", caption=RESULTS_NOTE,
             lead=carrying_metrics(run.results))  # the verdict's metrics first

st.subheader("Saliency")
audit = art.audit
if audit is None:
    st.info("This run has no saliency maps: it was run before the audit existed, or without a folder to keep them in.")
elif "error" in audit:
    st.warning("The saliency audit failed; the run's other results are unaffected.")
    with st.expander("Details"):
        st.code(audit["error"], language=None)
else:
    shares = share_table(audit)
    if shares.empty and not audit.get("notes"):
        st.caption("No mask shares: what this run forgot has no drawn mask to compare with (only the synthetic "
                   "faces' attributes — glasses, hat, … — have one).")
    elif not shares.empty:
        st.markdown(f"**Mask share** — {audit['region']['mask']}, over {audit['region']['n_images']} images")
        st.dataframe(shares, hide_index=True, key="audit.shares",
                     column_config={c: st.column_config.NumberColumn(format="%.3f") for c in shares.columns
                                    if c not in ("target", "explanation")})
        st.caption(SHARE_NOTE)
    for note in audit.get("notes", []):
        st.caption(note)
    grids = audit_grids(art)
    if grids:
        tabs = st.tabs([g.title for g in grids])
        for tab, grid in zip(tabs, grids):
            with tab:
                if grid.exists:
                    st.image(str(grid.path), caption=f"{grid.title}: rows are images (forget first, then retain); "
                             "columns the input, each model's map and the difference", width="stretch")
                else:
                    st.warning(f"{grid.path.relative_to(run_dir)} is missing from the run folder.")
        explain(GRID_NOTE)

sections = audit_sections(art, key="audit")  # what the run's method registered; nothing for other runs

st.subheader("Membership attack ROC")
curves = roc_curves(run.results)
if curves:
    st.plotly_chart(roc_chart(curves), key="audit.roc", config=PLOT_CONFIG)
    explain(ROC_NOTE)
else:
    st.caption("This run did not keep the attack's ROC points (runs from before they were stored).")

risk_explorer(run.results, run_dir)

figures = other_figures(art, image_paths(sections))
if figures:
    st.subheader("Other figures")
    for path in figures:
        st.image(str(path), caption=str(path.relative_to(run_dir)), width="stretch")
