"""Where a run stands: the current stage, its step out of total, and an estimate of the time left.

The estimate uses only this stage's pace so far (seconds per step since the previous stage ended),
which is what a user watching one stage wants; it is None until one step is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from core.pipeline import STAGES
from dashboard.figures.charts import METHOD_PHASE, is_method_stage, unlearning_points
from dashboard.components.glossary import stage_label


class TimedEvent(Protocol):
    ts: float
    stage: str
    step: int
    total: int
    metrics: dict


PHASES = STAGES  # the pipeline's order: data, original, gold, unlearn (the method's stages), evaluate, audit


@dataclass
class ProgressState:
    stage: str
    label: str
    step: int
    total: int
    eta_seconds: float | None
    epochs_received: int
    phase: int  # 1-based position of the stage in PHASES, so the user sees how far the whole run is

    @property
    def phases(self) -> int:
        return len(PHASES)

    @property
    def fraction(self) -> float:
        return min(1.0, max(0.0, self.step / self.total)) if self.total > 0 else 0.0


def _phase(stage: str) -> str:
    """Method stages (a method may report several, e.g. max/min steps) count as one phase."""
    return METHOD_PHASE if is_method_stage(stage) else stage


def progress_state(events: Iterable[TimedEvent], started: float | None = None,
                   now: float | None = None) -> ProgressState | None:
    """The state after the last event, or None when nothing has been reported yet.

    The time left is this stage's seconds per step times the steps to go, less the time already
    spent since the last report (``now``), never below zero."""
    events = list(events)
    if not events:
        return None
    last = events[-1]
    phase = _phase(last.stage)
    first = next(i for i in range(len(events) - 1, -1, -1)
                 if i == 0 or _phase(events[i - 1].stage) != phase)
    begin = events[first - 1].ts if first > 0 else started
    eta = None
    if begin is not None and last.step > 0 and last.total >= last.step:
        eta = (last.ts - begin) / last.step * (last.total - last.step)
        if now is not None:
            eta = max(0.0, eta - max(0.0, now - last.ts))
    return ProgressState(last.stage, stage_label(last.stage), last.step, last.total, eta,
                         len(unlearning_points(events)), PHASES.index(phase) + 1 if phase in PHASES else 0)
