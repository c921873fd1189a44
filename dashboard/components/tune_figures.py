"""The Run page's Tune control and its live chart of trial objective values with the best so far.

The figure is Optuna's own ``plot_optimization_history`` (plotly), drawn from the stored study the
detached tune writes (core/tune/detached.py); the page polls it once a second while the tune runs.
"""

from __future__ import annotations

import streamlit as st

from core.tune.detached import launch_tune, load_study, tune_info
from dashboard.components.safe_text import md

POLL_SECONDS = 1.0


def history_figure(study):
    """Trial objective values (lower = closer to the gold model) and the best so far, as a plotly figure."""
    import optuna

    fig = optuna.visualization.plot_optimization_history(study)
    fig.update_layout(title="Tune: each trial's distance to the gold model (validation part) and the best so far",
                      yaxis_title="distance to gold (lower is closer)", height=320, margin=dict(l=10, r=10, t=50, b=10))
    return fig


def best_line(study) -> str:
    """One line: trials finished and the best setting so far (empty before a trial completes)."""
    import optuna

    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not done:
        return ""
    best = min(done, key=lambda t: t.value)
    setting = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in best.params.items())
    return f"best {best.value:.3f} at trial {best.number}: {setting}"


def tune_control(scenario: dict, method: str) -> str | None:
    """Trials and budget, a Tune button that starts the detached tune, the live chart of the latest tune, and
    a button that launches its best setting as a normal run (returns that run's id when pressed)."""
    with st.expander("Tune this method toward the gold model"):
        st.caption("Optuna searches the method's declared ranges for the setting closest to the gold model "
                   "(forget accuracy, attack, test accuracy not below gold's, within the time budget), scored on a "
                   "validation half of the unseen images, never on the test split.")
        trials = int(st.number_input("Trials", min_value=1, max_value=500, value=12, step=1, key="tune.trials"))
        budget = float(st.number_input("Time budget (share of retraining)", min_value=0.01, max_value=10.0,
                                       value=0.1, step=0.05, key="tune.budget"))
        if st.button("Tune", key="tune.go", icon=":material/tune:"):
            try:
                st.session_state["tune.study"] = launch_tune(scenario, method, trials, budget)
            except ValueError as exc:
                st.error(f"Could not start the tune: {md(exc)}")
        name = st.session_state.get("tune.study")
        if not name:
            return None
        _live(name)
        return _launch_best(name, scenario, method)


def _launch_best(name: str, scenario: dict, method: str) -> str | None:
    import optuna

    from core.config import scenario_from_dict
    from core.runs import RunStore, launch

    study = load_study(name)
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE] if study is not None else []
    if not done or not st.button("Launch the best setting", key="tune.launch_best", icon=":material/rocket_launch:"):
        return None
    best = min(done, key=lambda t: t.value)
    params = best.user_attrs.get("params", best.params)
    config = {**scenario, "method": {"name": method, "params": params}, "name": f"{method} tuned"}
    return launch(RunStore(), scenario_from_dict(config), name=f"{method} tuned · {scenario.get('name', '')}")


def _live(name: str) -> None:
    info = tune_info(name) or {}

    @st.fragment(run_every=POLL_SECONDS if info.get("running") else None)
    def chart() -> None:
        current = tune_info(name) or {}
        study = load_study(name)
        state = "running" if current.get("running") else "finished"
        n = len(study.trials) if study is not None else 0
        st.caption(md(f"Tune {name} ({current.get('method', '')}): {state}, {n} of {current.get('trials', '?')} trials"))
        if study is not None and study.trials:
            st.plotly_chart(history_figure(study), use_container_width=True, key=f"tune.chart.{name}.{n}")
            line = best_line(study)
            if line:
                st.caption(md(line))
        if not current.get("running") and current.get("log"):
            st.caption(md(f"log: {current['log']}; results: {current.get('result', '')}"))

    chart()
