"""TMU as a registered method: through core.pipeline.run_method on a class_subset request, its
audit record, progress and cancellation, its checks, and the hard-only push-down."""

from __future__ import annotations

import copy
import json

import pytest
import torch

from core.config import scenario_from_dict
from core.methods import METHODS
from core.methods.tmu.pushdown import push_down
from core.params import describe_params
from core.pipeline import prepare, run_method
from core.progress import Cancelled
from tests.tmu.toy import make_context

FAST = {"epochs": 1, "twin_epochs": 1, "af_steps": 2, "cf_epochs": 1, "mlp_epochs": 20}


@pytest.fixture(scope="module")
def prep(tmp_path_factory):
    sc = scenario_from_dict({
        "dataset": {"name": "digits", "options": {"size": 8}}, "task": "digit", "model": "smallcnn",
        "forget": {"kind": "class_subset", "column": "digit", "value": 3, "fraction": 0.2},
        "train": {"epochs": 4, "lr": 0.003, "batch_size": 64}, "seed": 0, "device": "cpu"})
    return prepare(sc, cache=tmp_path_factory.mktemp("cache"))


class Recorder:
    def __init__(self, cancel_stage: str | None = None) -> None:
        self.calls: list[tuple[int, int, str, dict]] = []
        self.cancel_stage = cancel_stage

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        self.calls.append((step, total, stage, metrics))
        if self.cancel_stage is not None and stage.startswith(self.cancel_stage):
            raise Cancelled("test cancel")


def test_runs_through_the_pipeline_and_leaves_an_audit_record(prep, tmp_path):
    rec = Recorder()
    model, seconds, artifacts = run_method(prep, "tmu", FAST, progress=rec, workdir=tmp_path)
    assert artifacts["tmu_gallery_png"] == str(tmp_path / "tmu_gallery.png") and (tmp_path / "tmu_gallery.png").is_file()
    sa, sb = model.state_dict(), prep.original.model.state_dict()
    assert list(sa) == list(sb) and all(sa[k].shape == sb[k].shape for k in sa)
    assert seconds > 0
    stages = [c[2] for c in rec.calls]
    order = ["tmu curriculum", "tmu twin 1/1", "tmu features", "tmu predictor", "unlearn"]
    assert [s for i, s in enumerate(stages) if i == 0 or s != stages[i - 1]] == order
    step, total, stage, metrics = rec.calls[-1]
    assert (step, total, stage) == (1, 1, "unlearn") and "test_acc" in metrics

    record = json.loads(json.dumps(artifacts["tmu"]))  # JSON-able as it is
    f, n = record["forget"], len(prep.splits.forget)
    assert f["row"] == prep.splits.forget.tolist()
    assert all(len(f[k]) == n for k in ("NF", "AF", "CF", "p_hard", "predicted", "gold", "x"))
    assert set(f["predicted"]) <= {0, 1} and set(f["gold"]) <= {0, 1}
    assert len(record["twin"]["hard"]) == len(record["twin"]["NF"]) == record["predictor"]["n_twin"] > 0
    assert 0 <= record["predictor"]["twin_acc"] <= 1 and 0 <= record["predictor"]["forget_acc"] <= 1
    assert record["predictor"]["n_hard_pred"] == sum(f["predicted"])


@pytest.mark.parametrize("stage", ["tmu curriculum", "tmu twin", "tmu features", "unlearn"])
def test_cancelled_propagates_from_every_stage(prep, stage):
    rec = Recorder(cancel_stage=stage)
    with pytest.raises(Cancelled):
        run_method(prep, "tmu", FAST, progress=rec)
    assert rec.calls[-1][2].startswith(stage)


def test_gold_model_never_changes_a_decision(subset_splits, subset_model):
    outs = []
    for gold in (None, subset_model):
        ctx = make_context(subset_splits, copy.deepcopy(subset_model), gold=gold)
        method = METHODS.get("tmu")(METHODS.get("tmu").Params(**FAST))
        model = method.unlearn(ctx)
        outs.append((ctx.artifacts["tmu"], model.state_dict()))
    (a, wa), (b, wb) = outs
    assert a["forget"]["predicted"] == b["forget"]["predicted"] and a["forget"]["p_hard"] == b["forget"]["p_hard"]
    assert all(torch.equal(wa[k], wb[k]) for k in wa)
    assert a["forget"]["gold"] is None and b["forget"]["gold"] is not None


def test_push_down_misclassifies_the_hard_samples_and_keeps_the_easy_ones(subset_model):
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits
    from tests.tmu.toy import people_table

    table = people_table()
    sp = make_splits(table, "y", ForgetRequest(kind="class_subset", column="y", value=0, fraction=0.3),
                     seed=0, test_fraction=0.2, unseen_fraction=0.2)
    hard, easy = sp.forget[:3], sp.forget[3:]
    table.images[hard, :, :8, :8] = 255  # planted: the hard samples look unlike the rest of their class
    ctx = make_context(sp, copy.deepcopy(subset_model))
    for push in ("neggrad", "random_labels"):
        model = push_down(ctx, copy.deepcopy(subset_model), hard, easy, push, epochs=3, lr=0.02, weight=1.0,
                          gen=torch.Generator().manual_seed(0))
        with torch.no_grad():
            def right(rows):
                return sp.task.correct(model.eval()(sp.tensors(rows)[0]), sp.targets(rows)).mean()

            assert right(hard) == 0, push
            assert right(easy) >= 0.9 and right(sp.retain) >= 0.9, push


def test_checks_name_the_problem(subset_splits, subset_model):
    from core.data.forget import ForgetRequest
    from core.data.splits import make_splits
    from tests.tmu.toy import people_table

    tmu = METHODS.get("tmu")
    whole = make_splits(people_table(), "y", ForgetRequest(kind="class", column="y", value=0), seed=0)
    with pytest.raises(ValueError, match="no remaining training samples"):
        tmu().check(make_context(whole, subset_model))
    table = people_table()
    table.columns["z"], table.classes["z"] = table.identity % 2, ["no", "yes"]
    request = ForgetRequest(kind="class_subset", column="y", value=0, fraction=0.3)
    multi = make_splits(table, ["y", "z"], request, seed=0)
    with pytest.raises(ValueError, match="multi-label"):
        tmu().check(make_context(multi, subset_model))
    with pytest.raises(ValueError, match="allowed: shift, noise, flip"):
        tmu(tmu.Params(augment=["rotate"])).check(make_context(subset_splits, subset_model))


def test_every_parameter_has_a_help_line_and_bad_values_are_refused():
    from core.params import ParamError, build_params

    fields = describe_params(METHODS.get("tmu").Params)
    assert all(f["help"] for f in fields)
    assert {f["name"]: f["default"] for f in fields}["nf_k"] == 5
    with pytest.raises(ParamError, match="push"):
        build_params(METHODS.get("tmu").Params, {"push": "zero"})
