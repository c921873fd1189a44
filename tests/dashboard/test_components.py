"""The dashboard's pure builders on hand-made events and results: traces, points, colours, tables."""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

import pytest

from core.params import build_params, describe_params, param
from core.runs import Event, Run
from dashboard.figures.charts import UIREVISION, live_chart, live_series, results_chart
from dashboard.figures.palette import METRIC_COLORS, MODEL_COLORS, model_role
from dashboard.components.param_form import field_label, parse_list, widget_spec
from dashboard.components.run_progress import progress_state
from dashboard.components.scenario_text import scenario_summary
from dashboard.components.tables import format_duration, results_table, runs_table


def ev(seq, stage, step, total, ts=None, **metrics):
    return Event(seq, float(seq) if ts is None else ts, stage, step, total, metrics)


def pipeline_events():
    """What a finetune run reports: data, 2 original + 2 gold epochs, then per epoch an ``unlearn``
    event with live metrics and a ``fine-tuning`` event with the loss only."""
    events = [ev(1, "data", 0, 1), ev(2, "data", 1, 1, n_train=100.0),
              ev(3, "original", 1, 2, loss=1.0), ev(4, "original", 2, 2, loss=0.5),
              ev(5, "gold", 1, 2, loss=1.0), ev(6, "gold", 2, 2, loss=0.6)]
    seq = 7
    for step, (acc, mia, nomus) in enumerate([(0.6, 0.8, 0.5), (0.62, 0.7, 0.61), (0.65, 0.55, 0.78)], start=1):
        events.append(ev(seq, "unlearn", step, 3, test_acc=acc, mia_acc=mia, nomus=nomus, retain_acc=0.9))
        events.append(ev(seq + 1, "fine-tuning", step, 3, loss=0.3))
        seq += 2
    return events


RESULTS = {"results": [
    {"model": "original", "metrics": {"test_acc": 0.7, "mia_acc": 0.8, "nomus": 0.55, "forget_acc": 0.99, "seconds": 10.0}},
    {"model": "gold", "metrics": {"test_acc": 0.69, "mia_acc": 0.52, "nomus": 0.83, "forget_acc": 0.6, "seconds": 9.0}},
    {"model": "finetune", "metrics": {"test_acc": 0.71, "mia_acc": 0.6, "nomus": 0.76, "forget_acc": 0.7, "seconds": 3.0,
                                      "custom_score": 1.5}},
]}


def test_live_chart_has_one_trace_per_live_metric_with_a_point_per_unlearning_epoch():
    fig = live_chart(pipeline_events())
    traces = {t.meta: t for t in fig.data}
    assert set(traces) == {"test_acc", "mia_acc", "nomus"}
    assert list(traces["test_acc"].x) == [1, 2, 3]
    assert list(traces["mia_acc"].y) == [0.8, 0.7, 0.55]
    assert list(traces["nomus"].y) == [0.5, 0.61, 0.78]
    for name, trace in traces.items():
        assert trace.line.color == METRIC_COLORS[name]
    assert fig.layout.uirevision == UIREVISION
    assert [s.y0 for s in fig.layout.shapes] == [0.5]  # the coin-toss line for the attack


def test_live_chart_grows_as_events_arrive_and_ignores_pipeline_stages():
    events = pipeline_events()
    assert live_chart(events[:6]).data == ()  # data/original/gold only: no unlearning points yet
    points = [sum(len(t.x) for t in live_chart(events[:n]).data) for n in range(6, len(events) + 1)]
    assert points == sorted(points) and points[-1] == 3 * 3  # three metrics, three epochs


def test_live_series_numbers_epochs_across_several_method_stages():
    events = [ev(1, "max", 1, 2, test_acc=0.5, mia_acc=0.7, nomus=0.4), ev(2, "min", 1, 2, test_acc=0.6, mia_acc=0.6, nomus=0.6),
              ev(3, "max", 2, 2, test_acc=0.55, mia_acc=None, nomus=None)]
    series = live_series(events)
    assert series["test_acc"] == ([1, 2, 3], [0.5, 0.6, 0.55])
    assert series["mia_acc"] == ([1, 2, 3], [0.7, 0.6, None])  # a NaN stored as None leaves a gap


def test_results_table_rows_roles_and_metric_order():
    table = results_table(RESULTS)
    assert list(table["model"]) == ["original", "gold", "finetune"]
    assert list(table["role"]) == ["original", "gold", "unlearned"]
    assert list(table.columns) == ["model", "role", "test_acc", "forget_acc", "mia_acc", "nomus", "seconds", "custom_score"]
    assert table.loc[2, "nomus"] == 0.76 and math.isnan(table.loc[0, "custom_score"])
    assert results_table(None).empty and results_table({"results": []}).empty


def test_results_chart_colours_each_model_consistently():
    fig = results_chart(RESULTS)
    assert [t.meta for t in fig.data] == ["original", "gold", "finetune"]
    assert [t.marker.color for t in fig.data] == [MODEL_COLORS["original"], MODEL_COLORS["gold"], MODEL_COLORS["unlearned"]]
    assert list(fig.data[2].y) == [0.71, 0.7, 0.6, 0.76]  # test_acc, forget_acc, mia_acc, nomus (no retain_acc given)
    assert model_role("scrub") == "unlearned" and model_role("gold") == "gold"


def _run(run_id, created, status, results=None, started=None, finished=None, device="cpu"):
    return Run(run_id, f"name {run_id}", created, started, finished, status, {"method": {"name": "finetune"}},
               None, None, device, None, results, False)


def test_runs_table_keeps_order_and_formats_duration_and_nomus():
    runs = [_run("b", 200.0, "succeeded", RESULTS, started=200.0, finished=275.0), _run("a", 100.0, "queued", device=None)]
    table = runs_table(runs)
    assert list(table["id"]) == ["b", "a"]
    assert list(table["duration"]) == ["1 min 15 s", ""]
    assert table.loc[0, "nomus"] == 0.76 and (table.loc[1, "nomus"] is None or math.isnan(table.loc[1, "nomus"]))
    assert list(table["method"]) == ["finetune", "finetune"] and list(table["device"]) == ["cpu", ""]
    assert runs_table([]).empty and "status" in runs_table([]).columns


@pytest.mark.parametrize("seconds,text", [(None, ""), (4.4, "4 s"), (65, "1 min 05 s"), (3725, "1 h 02 min")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_progress_state_stage_step_and_time_left():
    events = [ev(1, "data", 1, 1, ts=100.0), ev(2, "original", 1, 4, ts=110.0), ev(3, "original", 2, 4, ts=120.0)]
    state = progress_state(events, started=99.0)
    assert (state.stage, state.step, state.total) == ("original", 2, 4)
    assert state.label == "Training the original model" and state.fraction == 0.5
    assert (state.phase, state.phases) == (2, 6)
    assert state.eta_seconds == pytest.approx(20.0)  # 10 s per epoch since the data stage ended, 2 to go
    assert progress_state(events, 99.0, now=125.0).eta_seconds == pytest.approx(15.0)
    assert progress_state(events, 99.0, now=500.0).eta_seconds == 0.0
    assert progress_state([]) is None


def test_progress_state_counts_method_stages_as_one_phase_and_counts_epochs():
    events = [ev(1, "gold", 2, 2, ts=50.0), ev(2, "unlearn", 1, 3, ts=60.0, test_acc=0.5),
              ev(3, "fine-tuning", 1, 3, ts=60.1, loss=0.3)]
    state = progress_state(events)
    assert state.label == "Unlearning (fine-tuning)" and state.epochs_received == 1 and state.phase == 4
    assert progress_state(events[:2]).label == "Unlearning"
    assert state.eta_seconds == pytest.approx(10.1 * 2)


@dataclasses.dataclass
class _Params:
    steps: int = param(5, "how many steps", min=1, max=50)
    lr: float = param(1e-3, "learning rate", min=0.0, max=1.0)
    hard: bool = param(False, "hard mode")
    mode: Literal["a", "b"] = param("b", "which mode")
    loss: str = param("kl", "loss", choices=["kl", "ce"])
    name: str = param("x", "a name")
    layers: list = param([1, 2], "layers")


def test_widget_spec_maps_each_field_type_to_a_widget():
    specs = {d["name"]: widget_spec(d) for d in describe_params(_Params)}
    assert specs["steps"] == ("number", {"label": "Steps", "help": "how many steps", "value": 5, "step": 1,
                                         "min_value": 1, "max_value": 50})
    kind, lr = specs["lr"]
    assert kind == "number" and lr["value"] == 1e-3 and lr["step"] == pytest.approx(1e-4) and lr["max_value"] == 1.0
    assert specs["hard"] == ("checkbox", {"label": "Hard", "help": "hard mode", "value": False})
    assert specs["mode"][0] == "select" and specs["mode"][1]["options"] == ["a", "b"] and specs["mode"][1]["index"] == 1
    assert specs["loss"][1]["options"] == ["kl", "ce"] and specs["loss"][1]["index"] == 0
    assert specs["name"][0] == "text" and specs["layers"][0] == "list" and specs["layers"][1]["value"] == "1, 2"
    assert lr["label"] == "Learning rate" and field_label("lambda3") == "λ3" and field_label("kernel_weight") == "Kernel weight"


def _registered_methods():
    from core.methods import METHODS

    return METHODS.names()


@pytest.mark.parametrize("method", _registered_methods())
def test_every_method_form_defaults_build_valid_params(method):
    """What the generic form returns untouched is accepted by the engine: new methods get working forms."""
    import json

    from core.methods import METHODS

    cls = METHODS.get(method).Params
    values = {}
    for desc in describe_params(cls):
        kind, kwargs = widget_spec(desc)
        value = {"select": lambda: kwargs["options"][kwargs["index"]],
                 "multiselect": lambda: kwargs["default"]}.get(kind, lambda: kwargs["value"])()
        values[desc["name"]] = json.loads(value) if kind == "json" else parse_list(value) if kind == "list" else value
        if kind == "number" and kwargs.get("min_value") is not None:
            assert kwargs["min_value"] <= value <= kwargs["max_value"]
    assert build_params(cls, values) == cls()


def test_scenario_summary_of_the_default_scenario():
    from core.config import DEFAULT_SCENARIO

    summary = dict(scenario_summary(DEFAULT_SCENARIO))
    assert summary["Dataset"].startswith("synthfaces — 60 people × 30 images")
    assert summary["Forget"].startswith("8 random people") and summary["Model"] == "smallcnn"
    assert dict(scenario_summary({"forget": {"kind": "class", "column": "digit", "value": 3}}))["Forget"] == \
        "A whole class: digit class 3"
    assert dict(scenario_summary({"forget": {"kind": "class_subset", "column": "digit", "value": 3, "fraction": 0.3}}))[
        "Forget"] == "Part of a class: 30% of digit class 3"


def test_launch_command_binds_localhost_and_passes_streamlit_options(monkeypatch):
    from dashboard.launch import APP, build_command

    monkeypatch.delenv("UNLEARN_DASHBOARD_ADDRESS", raising=False)
    cmd = build_command(["--server.port", "8600"])
    assert cmd[1:5] == ["-m", "streamlit", "run", str(APP)] and APP.exists()
    assert "--server.address=localhost" in cmd and "--server.fileWatcherType=none" in cmd
    assert "--server.headless=true" in cmd and "--browser.gatherUsageStats=false" in cmd
    assert cmd[-2:] == ["--server.port", "8600"]
    assert "--server.address=0.0.0.0" in build_command(["--address", "0.0.0.0"])
    monkeypatch.setenv("UNLEARN_DASHBOARD_ADDRESS", "192.168.1.5")
    assert "--server.address=192.168.1.5" in build_command([])


def test_the_glossary_reads_every_declared_metric_key():
    from core.metric_words import declared
    from dashboard.components.glossary import METRIC_LABELS, METRIC_NOTES

    names = [k.name for k in declared() if not k.is_pattern]
    assert list(METRIC_LABELS) == names and set(METRIC_NOTES) == set(names)
    assert {"lira_auc", "mia_auc", "eod", "dpd", "aps", "aum_normalized"} <= set(names)  # once without words
    assert METRIC_NOTES["rmia_auc"] and METRIC_LABELS["efficacy_Male"] == "Attacker efficacy on Male"  # patterns
    assert all(note.strip() and "\n" not in note for note in METRIC_NOTES.values())
