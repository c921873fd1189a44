"""The Run page's Tune control: a detached tune that writes its study, and the live history chart."""

from __future__ import annotations

import json
import time
from pathlib import Path

import optuna
from streamlit.testing.v1 import AppTest

from core.tune.detached import launch_tune, load_study, tune_info
from dashboard.components.tune_figures import best_line, history_figure

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"


def test_the_history_figure_draws_each_trial_and_the_best_so_far():
    study = optuna.create_study(direction="minimize")
    for value in (0.6, 0.9, 0.3):
        trial = study.ask({"lr": optuna.distributions.FloatDistribution(1e-4, 1e-1, log=True)})
        study.tell(trial, value)
    spec = json.loads(history_figure(study).to_json())
    traces = {t.get("name"): t["y"] for t in spec["data"]}
    assert traces["Objective Value"] == [0.6, 0.9, 0.3]
    assert traces["Best Value"] == [0.6, 0.6, 0.3]
    assert best_line(study).startswith("best 0.300 at trial 2: lr=")


def test_a_detached_tune_fills_its_study_and_the_run_page_charts_it(tiny_scenario):
    name = launch_tune(tiny_scenario, "finetune", trials=1, budget=10.0)
    deadline = time.time() + 120
    while (tune_info(name) or {}).get("running") and time.time() < deadline:
        time.sleep(0.5)
    info = tune_info(name)
    assert not info["running"], "the tune did not finish in 120 s"
    doc = json.loads(Path(info["result"]).read_text())
    assert len(doc["trials"]) == 1 and len(load_study(name).trials) == 1

    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/run.py")
    at.session_state["tune.study"] = name  # what pressing Tune leaves behind
    at.run()
    assert not at.exception
    charts = [e for e in at.get("plotly_chart") if "tune.chart" in e.key]
    spec = json.loads(charts[0].proto.spec)
    assert [t["y"] for t in spec["data"] if t.get("name") == "Objective Value"][0] == [t["value"] for t in doc["trials"]]
    assert any(b.label == "Launch the best setting" for b in at.button)
    assert any(b.label == "Tune" for b in at.button)
