"""One planted-attribute dataset with its original and gold models, trained once per test session."""

from __future__ import annotations

import pytest

from tests.attribute.planted import planted_prepared


@pytest.fixture(scope="session")
def planted():
    return planted_prepared(epochs=3)


class Recorder:
    """A progress callback that keeps every event."""

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        self.events.append({"step": step, "total": total, "stage": stage, **metrics})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
