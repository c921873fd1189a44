"""Fixtures for the dashboard tests: the store under the per-test ``UNLEARN_HOME`` and a stand-in worker."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.runs import RunStore


@pytest.fixture
def store(unlearn_home) -> RunStore:
    return RunStore()


@pytest.fixture
def live_process():
    """A process that stands in for a busy worker (so the store keeps the run active); killed after."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()
