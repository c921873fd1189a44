"""How long a run will take, before it is launched: reference models, the method, the final evaluation.

Each part is measured where it can be and guessed where it cannot, and says which:

- the original and gold models cost (almost) nothing when their cache entries exist
  (``core.pipeline.model_cache.reference_path``), else the training time past runs of the same dataset and model
  recorded (scaled to this run's epochs), else a rough per-image-epoch rate;
- the method costs the median ``seconds`` of past succeeded runs of the same method and dataset, else
  the same rough rate times its epochs;
- the final evaluation costs the median time past runs with the same attacker spent from their first
  ``evaluate`` event to the end, else a rough guess (the ResNet attacker on an attribute request is
  the slow one; the linear probe takes seconds).

Pages only display it (``dashboard``); the numbers come from the run store and the model cache.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from pathlib import Path

from core import paths
from core.config import Scenario
from core.data.splits import Splits
from core.pipeline.model_cache import is_cached, reference_path
from core.runs.store import RunStore

PAST_RUNS = 20  # the newest runs looked at (a handful is enough for a median; more only costs time)
LONG_SECONDS = 120.0  # above this the page warns before launching
ROUGH_IMAGE_EPOCH = 2e-3  # seconds per image per epoch of a small CNN on a busy laptop core: a guess
ROUGH_EVALUATION = {"resnet": 120.0, "linear": 10.0}  # the attribute attacker's share of an evaluation: a guess
ROUGH_PLAIN_EVALUATION = 10.0  # evaluation of a request without an attribute attacker: a guess
ATTACKER_KINDS = ("attribute",)  # the requests whose final table trains the attribute attacker


@dataclass(frozen=True)
class Part:
    """One stage's expected seconds and where the number comes from ("3 past runs", "rough guess")."""

    seconds: float
    source: str


@dataclass(frozen=True)
class Estimate:
    original_cached: bool
    gold_cached: bool
    references: Part
    method: Part
    evaluation: Part
    attacker: str
    kind: str
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return self.references.seconds + self.method.seconds + self.evaluation.seconds

    @property
    def long(self) -> bool:
        return self.seconds > LONG_SECONDS

    @property
    def suggest_linear(self) -> bool:
        """Whether switching the final attacker to the linear probe would save much of the wait."""
        return (self.kind in ATTACKER_KINDS and self.attacker == "resnet"
                and self.evaluation.seconds > LONG_SECONDS / 2)


def _method_epochs(sc: Scenario) -> int:
    epochs = sc.method.params.get("epochs")
    return int(epochs) if isinstance(epochs, (int, float)) and epochs > 0 else 3


def _row(run, role: str) -> dict | None:
    rows = (run.results or {}).get("results") or []
    if role == "unlearned":
        rows = [r for r in rows if r.get("model") not in ("original", "gold")]
    else:
        rows = [r for r in rows if r.get("model") == role]
    return rows[-1].get("metrics") if rows else None


def _median(values: list[float], unit: str) -> Part | None:
    values = [v for v in values if v is not None and v >= 0]
    if not values:
        return None
    return Part(float(statistics.median(values)), f"median of {len(values)} past {unit}{'s' if len(values) > 1 else ''}")


def _references(sc: Scenario, splits: Splits, past: list, cache: Path) -> tuple[bool, bool, Part]:
    cached = {stage: is_cached(reference_path(sc, splits, split, stage, cache))
              for stage, split in (("original", "train"), ("gold", "retain"))}
    if all(cached.values()):
        return True, True, Part(0.0, "both cached: loaded, not trained")
    same = [r for r in past if r.config.get("model") == sc.model]
    per_epoch = _median([(_row(r, "original") or {}).get("seconds", -1) / max(1, (r.config.get("train") or {}).get("epochs", 1))
                         for r in same], "run")
    sizes = splits.sizes()
    parts = []
    for stage, n in (("original", sizes["train"]), ("gold", sizes["retain"])):
        if cached[stage]:
            continue
        if per_epoch is not None:
            parts.append(per_epoch.seconds * sc.train.epochs * n / max(1, sizes["train"]))
        else:
            parts.append(ROUGH_IMAGE_EPOCH * n * sc.train.epochs)
    source = (per_epoch.source + " (training time per epoch)") if per_epoch else "rough per-epoch guess"
    return cached["original"], cached["gold"], Part(sum(parts), source)


def _method(sc: Scenario, splits: Splits, past: list) -> Part:
    same = [r for r in past if (r.config.get("method") or {}).get("name") == sc.method.name]
    measured = _median([(_row(r, "unlearned") or {}).get("seconds") for r in same], "run")
    if measured is not None:
        return measured
    return Part(ROUGH_IMAGE_EPOCH * splits.sizes()["train"] * _method_epochs(sc), "rough per-epoch guess")


def _evaluation(sc: Scenario, past: list, store: RunStore) -> Part:
    same = [r for r in past if (r.config.get("evaluation") or {}).get("attacker", "resnet") == sc.evaluation.attacker
            and (r.config.get("forget") or {}).get("kind") == sc.forget.kind][:5]
    spans = []
    for r in same:
        first = next((e.ts for e in store.events(r.id) if e.stage == "evaluate"), None)
        if first is not None and r.finished:
            spans.append(r.finished - first)
    measured = _median(spans, "run")
    if measured is not None:
        return measured
    if sc.forget.kind in ATTACKER_KINDS:
        return Part(ROUGH_EVALUATION.get(sc.evaluation.attacker, ROUGH_PLAIN_EVALUATION), "rough guess")
    return Part(ROUGH_PLAIN_EVALUATION, "rough guess")


def estimate_run(sc: Scenario, splits: Splits, store: RunStore | None = None, cache: Path | None = None) -> Estimate:
    """Expected seconds of ``sc`` on this machine, from the model cache and the past runs in ``store``."""
    store = store or RunStore()
    cache = paths.cache_dir() if cache is None else cache
    past = [r for r in store.list(limit=PAST_RUNS, status="succeeded")
            if (r.config.get("dataset") or {}).get("name") == sc.dataset.name]
    original, gold, references = _references(sc, splits, past, cache)
    est = Estimate(original, gold, references, _method(sc, splits, past), _evaluation(sc, past, store),
                   sc.evaluation.attacker, sc.forget.kind)
    if est.suggest_linear:
        est.notes.append("The final attribute attacker (a ResNet-18) is the slow part: the linear probe "
                         "(evaluation.attacker 'linear') takes seconds, but is a weaker attacker than the paper's.")
    return est
