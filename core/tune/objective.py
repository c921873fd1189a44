"""How close one setting's unlearned model comes to the gold model, on a validation part of the data.

The value (lower is better) is ``|forget_acc − gold's| + |mia_acc − gold's| + max(0, gold's test_acc −
test_acc) + over-budget``, where over-budget is ``max(0, seconds / allowed − 1)`` with ``allowed`` the
time budget as a share of retraining's time: a setting as close as the gold model costs 0, a slow one
pays in proportion to how far it overran. Every term is read on the *validation view* of the prepared
scenario (:func:`core.bench.validation.validation_view`: ``test`` := a seeded half of ``unseen``,
``unseen`` := the other half), so the test split a final table reports is never read while tuning.

Per epoch the method's live metrics (the progress callback) give the same value without the time term;
:class:`PruningProgress` reports it to Optuna and raises ``optuna.TrialPruned`` when the pruner says
the trial is worse than the median at that step, except at the method's last epoch: its compute is spent by
then, and a short trial (one epoch, inside the time budget) must not be dropped for a live value that slower
trials will pay for in time. Time enters only through the final value, from the
method's ``seconds`` (unlearning compute, live evaluation left out by ``run_method``): wall time seen
from the callback would count the live evaluations, which the budget is not about.

With several validation seeds (``unlearn tune --val-seeds K``) the value is the *mean* of the per-seed
values, each seed read against its own gold model and its own retraining time: one seed's split and
references move gold's forget accuracy by tenths, and a setting tuned to one seed fits that seed.
Only the first seed's live curve is reported for pruning (the step numbers stay one per epoch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import optuna

from core.metrics import Evaluation, evaluate
from core.methods import METHODS
from core.tune.space import suggest

SCORED = ("forget_acc", "mia_acc", "test_acc")
FINAL_METRICS = ["accuracy", "mia", "nomus"]


@dataclass
class Target:
    """The gold model's scored metrics on the validation view (final and live readings) and the time allowed."""

    final: dict[str, float]
    live: dict[str, float]
    retrain_seconds: float
    budget: float

    @property
    def allowed_seconds(self) -> float:
        return self.budget * self.retrain_seconds


def mean_target(targets: list[Target]) -> Target:
    """The seeds' targets as one (each metric and the retraining time averaged): what a report prints."""
    def avg(dicts: list[dict]) -> dict:
        return {k: float(sum(d[k] for d in dicts) / len(dicts)) for k in dicts[0]}

    return Target(avg([t.final for t in targets]), avg([t.live for t in targets]),
                  sum(t.retrain_seconds for t in targets) / len(targets), targets[0].budget)


def objective_value(metrics: dict[str, float], gold: dict[str, float], seconds: float | None = None,
                    allowed: float | None = None) -> float:
    """Distance to gold (see the module docstring); a NaN attack on either side drops the attack term."""
    value = abs(metrics["forget_acc"] - gold["forget_acc"]) + max(0.0, gold["test_acc"] - metrics["test_acc"])
    attack = abs(metrics.get("mia_acc", math.nan) - gold.get("mia_acc", math.nan))
    if not math.isnan(attack):
        value += attack
    if seconds is not None and allowed:
        value += max(0.0, seconds / allowed - 1.0)
    return value


def scored_metrics(vprep, model, live: bool = False) -> dict[str, float]:
    """Accuracy, attack and NoMUS of ``model`` on the validation view (final: the 10-split attack)."""
    from core.pipeline.model_scores import metric_settings

    ev = Evaluation(model, vprep.splits, vprep.device, gold=vprep.gold.model, live=live,
                    settings=metric_settings(vprep.scenario))
    return evaluate(ev, names=FINAL_METRICS)


def gold_target(vprep, budget: float) -> Target:
    """The gold model read on the validation view, as trials will be read."""
    final = scored_metrics(vprep, vprep.gold.model)
    live = scored_metrics(vprep, vprep.gold.model, live=True)
    return Target({k: final[k] for k in SCORED}, {k: live[k] for k in SCORED}, vprep.gold.seconds, budget)


class PruningProgress:
    """A progress callback that reports each live evaluation's value to the trial and prunes."""

    def __init__(self, trial: optuna.Trial | None, target: Target) -> None:
        self.trial, self.target = trial, target
        self.step = 0
        self.curve: list[float] = []

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        if not all(k in metrics for k in ("forget_acc", "test_acc")):
            return  # not a live evaluation (a stage start, a loss-only line)
        value = objective_value(metrics, self.target.live)
        self.curve.append(value)
        self.step += 1
        if self.trial is None:
            return
        self.trial.report(value, self.step)
        if step < total and self.trial.should_prune():  # at the last epoch the compute is spent: pruning saves nothing
            raise optuna.TrialPruned(f"step {self.step}: {value:.3f} is worse than the median of earlier trials")


class TuneObjective:
    """``objective(trial)``: run the method with the trial's setting on each validation view, score the mean.

    ``vprep``/``target`` are one validation view and its gold target, or equal-length lists of them (one
    per validation seed)."""

    def __init__(self, vprep, method: str, target, fixed: dict | None = None) -> None:
        self.vpreps = list(vprep) if isinstance(vprep, (list, tuple)) else [vprep]
        self.targets = list(target) if isinstance(target, (list, tuple)) else [target]
        if len(self.vpreps) != len(self.targets):
            raise ValueError(f"tune: {len(self.vpreps)} validation views but {len(self.targets)} gold targets")
        self.method = method
        self.params_cls = METHODS.get(method).Params
        self.fixed = dict(fixed or {})

    def evaluate_one(self, vprep, target: Target, params: dict,
                     trial: optuna.Trial | None = None) -> tuple[float, dict[str, float]]:
        """(value, metrics incl. ``seconds``) of one setting on one validation view; raises TrialPruned."""
        from core.pipeline.method_run import run_method

        model, seconds, _ = run_method(vprep, self.method, params, progress=PruningProgress(trial, target))
        metrics = {k: v for k, v in scored_metrics(vprep, model).items()
                   if k in (*SCORED, "nomus", "forgetting_score")}
        metrics["seconds"] = seconds
        metrics["time_share"] = seconds / target.retrain_seconds if target.retrain_seconds else math.nan
        return objective_value(metrics, target.final, seconds, target.allowed_seconds), metrics

    def evaluate(self, params: dict, trial: optuna.Trial | None = None) -> tuple[float, dict[str, float]]:
        """(mean value, mean metrics) over the validation seeds; ``per_seed`` lists each seed's with its value."""
        runs = [self.evaluate_one(v, t, params, trial if i == 0 else None)
                for i, (v, t) in enumerate(zip(self.vpreps, self.targets))]
        if len(runs) == 1:
            return runs[0]
        keys = [k for k in runs[0][1] if all(k in m for _, m in runs)]
        metrics: dict = {k: float(sum(m[k] for _, m in runs) / len(runs)) for k in keys}
        metrics["per_seed"] = [{**m, "value": v} for v, m in runs]
        return float(sum(v for v, _ in runs) / len(runs)), metrics

    def __call__(self, trial: optuna.Trial) -> float:
        params = suggest(trial, self.params_cls, self.fixed)
        value, metrics = self.evaluate(params, trial)
        trial.set_user_attr("metrics", metrics)
        trial.set_user_attr("params", params)
        return value
