"""Bootstrap intervals and the verdict on screen: table columns, error bars, the stored verdict."""

from __future__ import annotations

from types import SimpleNamespace

from dashboard.figures.charts import results_chart
from dashboard.figures.compare import compare_table, tradeoff_chart
from dashboard.components.tables import results_table, run_verdict

RESULTS = {"verdict": {"label": "partly forgotten", "reason": "forget_acc: ..."}, "results": [
    {"model": "original", "metrics": {"test_acc": 0.7, "forget_acc": 0.99, "forgetting_score": 0.3},
     "metric_ci": {"test_acc": [0.6, 0.8], "forget_acc": [0.95, 1.0], "forgetting_score": [0.2, 0.35]}},
    {"model": "gold", "metrics": {"test_acc": 0.69, "forget_acc": 0.6, "forgetting_score": 0.02},
     "metric_ci": {"test_acc": [0.6, 0.78], "forget_acc": [0.5, 0.7], "forgetting_score": [0.0, 0.1]}},
    {"model": "scrub", "metrics": {"test_acc": 0.71, "forget_acc": 0.7, "forgetting_score": 0.1, "seconds": 3.0},
     "metric_ci": {"test_acc": [0.61, 0.8], "forget_acc": [0.6, 0.8], "forgetting_score": [0.0, 0.2]}},
]}


def test_results_table_puts_each_interval_beside_its_metric():
    table = results_table(RESULTS)
    assert list(table.columns) == ["model", "role", "test_acc", "test_acc 95%", "forget_acc", "forget_acc 95%",
                                   "forgetting_score", "forgetting_score 95%", "seconds"]
    assert table.loc[2, "forget_acc 95%"] == "[0.60, 0.80]" and table.loc[2, "forget_acc"] == 0.7


def test_charts_draw_the_intervals_as_error_bars():
    bars = results_chart(RESULTS, metrics=("test_acc", "forget_acc"))
    scrub = bars.data[2]
    assert list(scrub.error_y.array) == [0.8 - 0.71, 0.8 - 0.7] and list(scrub.error_y.arrayminus)[1] == 0.7 - 0.6
    run = SimpleNamespace(id="r1", config={"method": {"name": "scrub"}}, results=RESULTS)
    points = {t.meta: t for t in tradeoff_chart([run]).data}
    assert list(points["r1"].error_x.array) == [0.2 - 0.1] and list(points["r1"].error_y.arrayminus) == [0.71 - 0.61]
    assert "forget_acc 95%" in compare_table([run]).columns


def test_the_stored_verdict_is_read_and_old_runs_have_none():
    assert run_verdict(RESULTS)["label"] == "partly forgotten"
    assert run_verdict({"results": []}) is None and run_verdict(None) is None


def test_the_run_page_shows_the_verdict_first_and_the_interval_columns(store):
    import copy

    from core.config import DEFAULT_SCENARIO
    from tests.dashboard.test_pages import app, texts

    run_id = store.create(copy.deepcopy(DEFAULT_SCENARIO), "scrub · intervals")
    store.mark_running(run_id, 999_999, "cpu")
    store.finish(run_id, "succeeded", results={"scenario": DEFAULT_SCENARIO, **RESULTS,
                                               "notes": ["The original model is the checkpoint x.pt"]})
    at = app(run_id)
    assert not at.exception
    assert "Verdict: partly forgotten" in texts(at, "warning")
    table = at.dataframe[0].value
    assert list(table["forget_acc 95%"]) == ["[0.95, 1.00]", "[0.50, 0.70]", "[0.60, 0.80]"]
    assert "The original model is the checkpoint x" in texts(at, "caption")


def test_the_tradeoff_reads_distance_to_gold_where_the_run_stored_it():
    """Gold is the reference (issue 11): a run with mia_gold_gap is placed by it, not by |MIA − 0.5|."""
    results = {"results": [{"model": "scrub", "metrics": {"test_acc": 0.7, "mia_acc": 0.9, "mia_gold_gap": 0.05,
                                                          "forgetting_score": 0.4}}]}
    run = SimpleNamespace(id="r1", config={"method": {"name": "scrub"}}, results=results)
    fig = tradeoff_chart([run])
    assert fig.data[0].x[0] == 0.05 and "gold model" in fig.layout.xaxis.title.text
