"""Live and per-epoch charts draw the metrics a run's events carry: accuracy, attack and NoMUS for every
run, plus fidelity, probe efficacy and AUM (with the attribute's chance line) for attribute runs."""

from __future__ import annotations

import copy
import json
import os

from core.config import DEFAULT_SCENARIO
from core.runs import Event
from dashboard.figures.charts import LIVE_METRICS, latest_tiles, live_chart, results_chart, shown_metrics, tile
from dashboard.figures.compare import curve_metrics, curves_chart
from dashboard.components.safe_text import md
from dashboard.components.tables import attack_notes
from tests.dashboard.test_pages import app, texts

ATTRIBUTE_EPOCHS = [(0.95, 0.56, 0.90, 0.97, 0.51, 0.06), (0.94, 0.54, 0.91, 0.80, 0.51, 0.33),
                    (0.94, 0.52, 0.93, 0.62, 0.51, 0.53)]  # test_acc, mia, nomus, efficacy, chance, aum


def attribute_events() -> list[Event]:
    """What a detachment run reports: reference stages, one ``unlearn`` event per epoch whose metrics include
    the attribute scores (fidelity equal to test accuracy), then a sweep cell that must not count as an epoch."""
    events = [Event(1, 1.0, "data", 1, 1, {"n_train": 100.0}), Event(2, 2.0, "original", 1, 1, {"loss": 1.0})]
    for step, (acc, mia, nomus, eff, chance, aum) in enumerate(ATTRIBUTE_EPOCHS, start=1):
        events.append(Event(2 + step, 2.0 + step, "unlearn", step, 3,
                            {"test_acc": acc, "mia_acc": mia, "nomus": nomus, "efficacy": eff, "efficacy_chance": chance,
                             "fidelity": acc, "aum": aum, "aum_normalized": aum, "seconds": 1.0}))
    events.append(Event(9, 9.0, "sensitivity sweep", 1, 4, {"lambda2": 1.0, "lambda3": 2.0, "cell_aum": 0.4}))
    return events


def identity_events() -> list[Event]:
    return [Event(i, float(i), "unlearn", i, 2, {"test_acc": 0.6, "mia_acc": 0.7 - 0.1 * i, "nomus": 0.5})
            for i in (1, 2)]


def test_attribute_live_chart_draws_efficacy_aum_and_the_chance_line():
    fig = live_chart(attribute_events())
    traces = {t.meta: t for t in fig.data}
    assert set(traces) == {"test_acc", "mia_acc", "nomus", "efficacy", "aum"}
    assert list(traces["efficacy"].y) == [0.97, 0.80, 0.62] and list(traces["efficacy"].x) == [1, 2, 3]
    assert "Fidelity" in traces["test_acc"].name  # fidelity equals test accuracy: one trace names both
    assert sorted(s.y0 for s in fig.layout.shapes) == [0.5, 0.51]  # coin toss and the attribute's chance
    assert shown_metrics(attribute_events()) == ["test_acc", "mia_acc", "nomus", "efficacy", "aum"]


def test_identity_live_chart_keeps_its_three_metrics_and_no_chance_line():
    fig = live_chart(identity_events())
    assert [t.meta for t in fig.data] == ["test_acc", "mia_acc", "nomus"]
    assert [s.y0 for s in fig.layout.shapes] == [0.5]


def test_a_distinct_fidelity_gets_its_own_trace():
    events = [Event(1, 1.0, "unlearn", 1, 1, {"test_acc": 0.9, "fidelity": 0.8})]
    assert [t.meta for t in live_chart(events).data] == ["test_acc", "fidelity"]
    assert set(LIVE_METRICS) >= {"fidelity", "efficacy", "aum"}


def test_compare_curves_offer_attribute_metrics_only_when_a_run_has_them():
    class R:
        def __init__(self, rid): self.id, self.config = rid, {"method": {"name": "detachment"}}

    assert curve_metrics({"a": identity_events()}) == ["test_acc", "mia_acc", "nomus"]
    both = {"a": identity_events(), "b": attribute_events()}
    assert curve_metrics(both) == ["test_acc", "mia_acc", "nomus", "efficacy", "aum"]
    fig = curves_chart([R("a"), R("b")], both, "efficacy")
    assert [t.meta for t in fig.data] == ["b"] and list(fig.data[0].y) == [0.97, 0.80, 0.62]


def test_results_chart_shows_attribute_scores():
    results = {"results": [{"model": m, "metrics": {"test_acc": 0.9, "fidelity": 0.9, "efficacy": e, "aum": 0.5}}
                           for m, e in (("original", 0.99), ("gold", 0.9), ("detachment", 0.6))]}
    fig = results_chart(results)
    assert "Attacker efficacy" in fig.data[2].x and list(fig.data[2].y)[list(fig.data[2].x).index("Attacker efficacy")] == 0.6


def test_run_page_of_an_attribute_run_shows_efficacy_and_aum(store):
    config = copy.deepcopy(DEFAULT_SCENARIO)
    config["method"] = {"name": "detachment", "params": {}}
    run_id = store.create(config, "detachment · attribute")
    store.mark_running(run_id, 999_999, "cpu")
    for e in attribute_events():
        store.add_event(run_id, e.stage, e.step, e.total, e.metrics)
    store.finish(run_id, "cancelled", error="cancelled by the user")
    at = app(run_id)
    assert not at.exception, at.exception
    chart = next(e for e in at.get("plotly_chart") if "live_chart" in e.key)
    metas = [t["meta"] for t in json.loads(chart.proto.spec)["data"]]
    assert "efficacy" in metas and "aum" in metas
    labels = [m.label for m in at.metric]
    assert "Attacker efficacy" in labels and "AUM" in labels
    assert "3 unlearning epochs received" in texts(at, "caption")


def gold_events(gold: float = 0.62) -> list[Event]:
    """What the pipeline reports: the gold model's live attack accuracy once, then the method's epochs."""
    return [Event(1, 1.0, "unlearn", 0, 1, {"gold_mia_acc": gold}),
            *(Event(1 + i, 1.0 + i, "unlearn", i, 3, {"test_acc": 0.6, "mia_acc": m, "nomus": 0.5})
              for i, m in enumerate((0.80, 0.70, 0.40), start=1))]


def test_live_chart_draws_the_gold_models_attack_accuracy_as_the_target_and_0_5_as_the_coin_toss():
    fig = live_chart(gold_events(0.62))
    lines = {s.y0: a.text for s, a in zip(fig.layout.shapes, fig.layout.annotations)}
    assert lines[0.62].startswith("gold model") and lines[0.5] == "coin toss"
    assert [t.meta for t in fig.data] == ["test_acc", "mia_acc", "nomus"]  # the gold event is no epoch
    # an older run without the event: the gold row of its results gives the line
    results = {"results": [{"model": "gold", "metrics": {"mia_acc": 0.66}}]}
    assert sorted(s.y0 for s in live_chart(identity_events(), results=results).layout.shapes) == [0.5, 0.66]
    assert [s.y0 for s in live_chart(identity_events(), results={"results": [
        {"model": "gold", "metrics": {"mia_acc": float("nan")}}]}).layout.shapes] == [0.5]  # no number, no line


def test_attack_tile_is_better_when_closer_to_gold_not_when_lower():
    tiles = {t.name: t for t in latest_tiles(gold_events(0.62), ["test_acc", "mia_acc", "nomus"])}
    # 0.70 -> 0.40 is lower, but 0.22 from gold instead of 0.08: worse, shown red under "inverse"
    assert tiles["mia_acc"].delta == "+0.140 to gold" and tiles["mia_acc"].delta_color == "inverse"
    assert tiles["mia_acc"].value == "0.400" and tiles["test_acc"].delta_color == "normal"
    closer = tile("mia_acc", 0.65, 0.80, target=0.62)
    assert closer.delta == "-0.150 to gold"  # 0.18 -> 0.03 from gold: green under "inverse"
    assert tile("mia_acc", 0.4, 0.7, target=None).delta_color == "off"  # no gold value yet: no judgement


def test_efficacy_tile_is_better_when_closer_to_chance_not_below_it():
    tiles = {t.name: t for t in latest_tiles(attribute_events(), ["efficacy", "aum"])}
    assert tiles["efficacy"].delta == "-0.180 to chance"  # 0.80 -> 0.62 with chance 0.51: closer
    below = tile("efficacy", 0.30, 0.55, target=0.51)
    assert below.delta == "+0.170 to chance" and below.delta_color == "inverse"  # overshoot is no gain
    assert tiles["aum"].delta_color == "normal"


def test_results_show_why_the_attack_has_no_number(store):
    from tests.dashboard.seed import seed_run

    run_id = seed_run(store, "running", pid=os.getpid())
    reason = "no unseen image has y = a, so there are no non-members like the forget set"
    rows = [{"model": m, "metrics": {"test_acc": 0.9, "mia_acc": float("nan"), "nomus": float("nan")},
             "extras": {"mia_unavailable": reason, "nonmembers": {"rule": "unseen images with y = a", "count": 0}}}
            for m in ("original", "gold", "finetune")]
    store.finish(run_id, "succeeded", results={"scenario": DEFAULT_SCENARIO, "results": rows})
    at = app(run_id)
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [f"Membership attack not shown: {md(reason)}"]
    assert md("unseen images with y = a (0 images)") in texts(at, "caption")
    assert attack_notes({"results": rows}) == {"unavailable": [reason], "nonmembers": ["unseen images with y = a (0 images)"]}


def test_a_finished_runs_final_values_are_their_own_markers_after_the_last_epoch():
    """Live points use a subset and a fast probe; the final value is drawn apart, not hidden in the curve."""
    results = {"results": [{"model": "gold", "metrics": {"mia_acc": 0.6}},
                           {"model": "finetune", "metrics": {"test_acc": 0.58, "mia_acc": 0.73, "nomus": float("nan")}}]}
    finals = {t.meta: t for t in live_chart(identity_events(), results=results).data if t.meta.startswith("final:")}
    assert set(finals) == {"final:test_acc", "final:mia_acc"}  # NaN: no marker
    assert list(finals["final:mia_acc"].y) == [0.73] and list(finals["final:mia_acc"].x) == [2.5]
    assert not [t for t in live_chart(identity_events()).data if t.meta.startswith("final:")]  # still running
