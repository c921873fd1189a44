"""The Compare page and its builders: facets, filter, final-metric table, trade-off scatter, overlaid curves."""

from __future__ import annotations

import copy
import json
import time

from streamlit.testing.v1 import AppTest

from core.config import DEFAULT_SCENARIO
from dashboard.figures.compare import compare_table, curves_chart, facet_values, filter_runs, tradeoff_chart
from dashboard.figures.palette import MODEL_COLORS, RUN_COLORS
from tests.dashboard.seed import RESULTS, seed_run
from tests.dashboard.test_pages import APP, TIMEOUT, texts


def two_runs(store):
    """A finetune run on identities and a retrain run on a class, newest first as the store lists them."""
    first = seed_run(store, "succeeded", config={**copy.deepcopy(DEFAULT_SCENARIO), "method": {"name": "finetune", "params": {}}})
    time.sleep(0.01)
    config = copy.deepcopy(DEFAULT_SCENARIO)
    config["method"] = {"name": "retrain", "params": {}}
    config["forget"] = {"kind": "class", "value": 1}
    second = seed_run(store, "succeeded", epochs=2, config=config,
                      rows=[*RESULTS[:2], ("retrain", 0.68, 0.51, 0.84)])
    return store.list(status="succeeded"), first, second


def compare_page() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.switch_page("views/compare.py")
    return at.run()


def test_builders_on_two_runs(store):
    runs, first, second = two_runs(store)
    assert [r.id for r in runs] == [second, first]
    assert facet_values(runs) == {"dataset": ["synthfaces"], "forget": ["class", "identities"], "method": ["finetune", "retrain"]}
    assert [r.id for r in filter_runs(runs, {"method": ["finetune"]})] == [first]
    assert len(filter_runs(runs, {"method": [], "forget": []})) == 2
    table = compare_table(runs)
    assert list(table["role"]) == ["unlearned", "unlearned", "original", "gold"]
    assert list(table["nomus"]) == [0.84, 0.76, 0.55, 0.83] and list(table["method"][:2]) == ["retrain", "finetune"]
    fig = tradeoff_chart(runs)
    points = {t.meta: (t.x[0], t.y[0], t.marker.color) for t in fig.data}
    assert points[second][:2] == (abs(0.51 - 0.5), 0.68) and points[second][2] == RUN_COLORS[0]
    assert points[first][2] == RUN_COLORS[1] and points["gold"][2] == MODEL_COLORS["gold"]
    events = {r.id: store.events(r.id) for r in runs}
    curves = curves_chart(runs, events, "mia_acc")
    assert [(t.meta, list(t.y), t.line.color) for t in curves.data] == [
        (second, [0.80, 0.70], RUN_COLORS[0]), (first, [0.80, 0.70, 0.55], RUN_COLORS[1])]


def test_compare_page_empty_state(store):
    at = compare_page()
    assert not at.exception and "No finished run yet" in texts(at, "info")


def test_compare_page_groups_runs_by_scenario_with_their_own_references(store):
    from dashboard.figures.compare_groups import REFERENCE_LABELS, scenario_groups

    _, first, second = two_runs(store)  # an identity run and a class run: two scenarios
    third = seed_run(store, "succeeded", rows=[*RESULTS[:2], ("neggrad", 0.5, 0.5, 0.6)],  # same scenario as first
                     config={**copy.deepcopy(DEFAULT_SCENARIO), "method": {"name": "neggrad", "params": {}}})
    groups = scenario_groups(store.list(status="succeeded"))
    assert [sorted(r.id for r in g.runs) for g in groups] == [sorted([first, third]), [second]]
    assert groups[0].title.startswith(f"Forget {DEFAULT_SCENARIO['forget']['count']} random people · synthfaces")
    at = compare_page()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["id"])[:2] == [third, first]  # the unlearned rows, newest first
    assert list(table["run"][-2:]) == [REFERENCE_LABELS["original"], REFERENCE_LABELS["gold"]]
    assert not any("finetune" in label for label in table["run"][-2:])  # references are not named after a method
    charts = {e.key.split(".")[-1]: json.loads(e.proto.spec) for e in at.get("plotly_chart") if e.key}
    assert len(charts["tradeoff"]["data"]) == 4 and len(charts["curves"]["data"]) == 2
    assert charts["tradeoff"]["layout"]["legend"]["y"] < 0  # the legend sits below the plot, not over it
    at.selectbox(key="compare.group").set_value(groups[1].key).run()
    assert not at.exception and list(at.dataframe[0].value["role"]) == ["unlearned", "original", "gold"]
    at.selectbox(key="compare.group").set_value(groups[0].key).run()
    at.multiselect(key="compare.method").select("neggrad").run()
    assert list(at.dataframe[0].value["role"]) == ["unlearned", "original", "gold"]
