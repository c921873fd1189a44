"""The live view of one run: status, progress, cancel, the per-epoch chart, then results or the error.

A fragment polls the store once a second while the run is active and redraws only itself; when
the run becomes final it reruns the whole page once, which redraws it without polling.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from core.runs import Run, RunStore, UnknownRun, cancel
from dashboard.figures.audit import ROC_NOTE, roc_chart, roc_curves
from dashboard.figures.charts import latest_tiles, live_chart, results_chart, shown_metrics, unlearning_points
from dashboard.components.glossary import CHART_NOTE, METRIC_NOTES, RESULTS_NOTE, VERDICT_NOTES
from dashboard.components.metric_table import metric_table
from dashboard.figures.palette import STATUS_COLORS
from dashboard.components.run_progress import progress_state
from dashboard.components.safe_text import md
from dashboard.components.scenario_text import scenario_summary
from dashboard.components.tables import attack_notes, format_duration, results_table, run_verdict
from dashboard.components.teaching import explain
from dashboard.components.verdict_view import CARD_PX, carrying_cards

POLL_SECONDS = 1.0
AUDIT_PAGE = Path(__file__).resolve().parents[1] / "views" / "audit.py"


def run_panel(run_id: str) -> None:
    """Draw the run, polling while it is queued or running."""
    store = RunStore()
    try:
        run = store.get(run_id)
    except UnknownRun:
        st.warning(f"There is no run {md(repr(run_id))}. Pick one on the Runs page or launch a new one.")
        return
    st.subheader(md(run.name))
    poll = POLL_SECONDS if run.active else None

    @st.fragment(run_every=poll)
    def live() -> None:
        current = store.get(run_id)
        _draw(store, current, store.events(run_id))
        if poll and not current.active:
            st.rerun(scope="app")  # final now: redraw once without the timer

    live()
    with st.expander("Scenario of this run"):
        st.markdown("\n".join(f"- **{label}:** {md(text)}" for label, text in scenario_summary(run.config)))
        st.caption(f"Run id {run.id} · files in {store.runs_root / run.id}")


def _draw(store: RunStore, run: Run, events: list) -> None:
    _status_row(store, run)
    if run.active:
        _progress(run, events)
    if run.status == "succeeded" and not results_table(run.results).empty:  # the verdict first, then how it got there
        _verdict(run)
        carrying_cards(run.results, key="run")  # the numbers the verdict reads, for this kind of request
    _live_chart(events, run.results)
    if run.status == "succeeded":
        _results(run)
    elif run.error:
        _error(run)


def _status_row(store: RunStore, run: Run) -> None:
    cols = st.columns([3, 1], vertical_alignment="center")
    with cols[0], st.container(key="run-status", horizontal=True, vertical_alignment="center"):
        st.badge(run.status, color=STATUS_COLORS.get(run.status, "gray"))
        details = [format_duration(run.duration), run.device or ""]
        st.caption(" · ".join(d for d in details if d) or "waiting for the worker to start")
    if run.active:
        cancelling = run.cancel
        if cols[1].button("Cancelling…" if cancelling else "Cancel", key="run.cancel", disabled=cancelling,
                          icon=":material/stop_circle:", help="Stop the run after the current epoch"):
            cancel(store, run.id)
            st.toast("Cancel requested: the run stops after its current step.")


def _progress(run: Run, events: list) -> None:
    state = progress_state(events, run.started, time.time())
    if state is None:
        st.progress(0.0, text="Starting the worker…")
        return
    eta = ""
    if state.eta_seconds is not None:
        eta = f" · about {format_duration(state.eta_seconds)} left in this stage" if state.eta_seconds >= 1 else " · finishing this stage"
    st.progress(state.fraction, text=f"Stage {state.phase} of {state.phases}: {state.label} — "
                                     f"step {state.step}/{state.total}{eta}")


def _live_chart(events: list, results: dict | None = None) -> None:
    points = unlearning_points(events)
    st.plotly_chart(live_chart(events, results=results), key="run.live_chart", config={"displaylogo": False})
    with st.container(key="epochs-received"):
        st.caption(f"{len(points)} unlearning epoch{'s' if len(points) != 1 else ''} received. {CHART_NOTE}"
                   if points else "The chart fills in once unlearning starts, after the original and gold models "
                   "are trained (or loaded from the cache). " + CHART_NOTE)
    if not points:
        return
    _latest_tiles(events, shown_metrics(events), results)


def _latest_tiles(events: list, names: list[str], results: dict | None) -> None:
    """The last epoch's value of each drawn live metric, with its change since the epoch before (for the
    attack and the attribute attacker: the change of the distance to gold / to chance)."""
    with st.container(horizontal=True, gap="medium", key="run-tiles"):  # wraps at projector width, never "0.…"
        for t in latest_tiles(events, names, results):
            st.metric(t.label, t.value, t.delta, delta_color=t.delta_color, help=METRIC_NOTES.get(t.name, ""),
                      border=True, width=CARD_PX)


def _results(run: Run) -> None:
    table = results_table(run.results)
    if table.empty:
        st.info("The run finished without a results table.")
        return
    st.markdown("#### Results")
    metric_table(table, key="run.results_table", caption=RESULTS_NOTE)
    for note in run.results.get("notes") or []:
        st.caption(md(note))
    notes = attack_notes(run.results)
    for reason in notes["unavailable"]:
        st.warning(f"Membership attack not shown: {md(reason)}", icon=":material/block:")
    if notes["nonmembers"]:
        st.caption("Membership attack non-members: " + md("; ".join(notes["nonmembers"])) + ".")
    st.plotly_chart(results_chart(run.results), key="run.results_chart", config={"displaylogo": False})
    curves = roc_curves(run.results)
    if curves:
        st.markdown("#### Membership attack ROC")
        st.plotly_chart(roc_chart(curves), key="run.roc", config={"displaylogo": False})
        explain(ROC_NOTE)
    st.page_link(AUDIT_PAGE, label="Open the audit: saliency maps, attack ROC and the report", icon=":material/fact_check:",
                 query_params={"run": run.id})


VERDICT_BOXES = {"forgotten like the gold model": st.success, "partly forgotten": st.warning,
                 "not forgotten": st.error, "too few forgotten units to tell": st.info}


def _verdict(run: Run) -> None:
    """The run's verdict in plain words, first thing in the finished panel, with why."""
    verdict = run_verdict(run.results)
    if verdict is None:
        return
    with st.container(key="run-verdict"):
        VERDICT_BOXES.get(verdict["label"], st.info)(f"**Verdict: {md(verdict['label'])}.** "
                                                     f"{VERDICT_NOTES.get(verdict['label'], '')}")
        st.caption(md(verdict["reason"]))


def _error(run: Run) -> None:
    headline = run.error.strip().split("\n\n", 1)[0]  # the named message; the traceback stays in the store
    (st.warning if run.status == "cancelled" else st.error)(md(headline))
    if run.status == "failed":
        st.caption(f"The traceback is kept with the run: `unlearn show {run.id}` on the machine that runs it.")
