"""The Sweeps page and its figures: trial table from the store, Pareto front, parallel coordinates, cancel.

Trial runs are recorded by hand with known metrics (as the dashboard tests do), so the front is known."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.runs import RunStore
from core.sweep import expand, sweep_from_dict
from core.sweep.store import SweepStore
from core.sweep.summary import trial_rows
from dashboard.figures.sweep_figures import dominates, parallel_coordinates, pareto_figure, pareto_front

APP = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
# (test_acc, forgetting_score, seconds) per trial: 0 and 1 trade accuracy for forgetting, 2 is dominated by 0
POINTS = {0: (0.80, 0.10, 5.0), 1: (0.70, 0.02, 9.0), 2: (0.75, 0.12, 6.0)}


def seed_sweep(tiny_base) -> tuple[str, dict]:
    spec = sweep_from_dict({"base": tiny_base, "axes": {"method.name": ["finetune", "neggrad"], "seed": [0, 1]}})
    store = RunStore()
    sweeps = SweepStore(store)
    sweeps.start(spec.id, "page test", spec.to_dict())
    ids = {}
    for t in expand(spec):
        run_id = store.create(t.scenario, t.title())
        sweeps.tag(run_id, spec.id, t.key)
        ids[t.index] = run_id
        if t.index in POINTS:
            acc, forgetting, seconds = POINTS[t.index]
            metrics = {"test_acc": acc, "forgetting_score": forgetting, "seconds": seconds, "nomus": 0.5}
            store.finish(run_id, "succeeded", results={"results": [{"model": t.scenario["method"]["name"],
                                                                    "metrics": metrics}]})
        else:
            store.finish(run_id, "failed", error="DataError: boom\n\ntraceback")
    return spec.id, ids


def test_trial_rows_and_the_pareto_front(tiny_base):
    sweep_id, ids = seed_sweep(tiny_base)
    rows = trial_rows(SweepStore(), sweep_id)
    assert [r["run_id"] for r in rows] == [ids[i] for i in range(4)]
    assert rows[2]["method.name"] == "neggrad" and rows[2]["seed"] == 0 and rows[3]["error"] == "DataError: boom"
    assert pareto_front(rows) == [0, 1]  # 2 is worse than 0 on all three; 3 failed
    assert dominates(rows[0], rows[2]) and not dominates(rows[0], rows[1])
    par = parallel_coordinates(rows, ["method.name", "seed"]).data[0]
    assert [d.label for d in par.dimensions][:2] == ["method.name", "seed"]
    assert list(par.dimensions[0].ticktext) == ["finetune", "neggrad"] and list(par.dimensions[0].values) == [0, 0, 1]
    pareto = pareto_figure(rows, ["method.name", "seed"])
    assert list(pareto.data[1].y) == [0.80, 0.70] and list(pareto.data[0].marker.color) == [5.0, 9.0, 6.0]


def test_sweeps_page_shows_trials_figures_and_cancels(tiny_base):
    sweep_id, ids = seed_sweep(tiny_base)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.switch_page("views/sweeps.py")
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["run_id"]) == [ids[i] for i in range(4)] and list(table["pareto"]) == [True, True, False, False]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert [c["data"][0]["type"] for c in charts] == ["parcoords", "scatter"]
    at.button(key="sweeps.cancel").click().run()
    assert SweepStore().cancel_requested(sweep_id)
    at.switch_page("views/runs.py").run()
    assert not at.exception and set(at.dataframe[0].value["sweep"]) == {sweep_id}
