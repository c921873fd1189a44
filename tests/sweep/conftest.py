"""Sweep tests: a tiny base scenario (12 people x 6 images, 1 epoch, smallcnn) and Ray helpers."""

from __future__ import annotations

import copy
import time

import psutil
import pytest

from tests.conftest import TINY_SCENARIO

# The suite's tiny scenario, smaller still: a sweep runs several trials of it.
TINY_BASE = {**copy.deepcopy(TINY_SCENARIO), "name": "tiny sweep",
             "dataset": {"name": "synthfaces", "options": {"n_identities": 12, "images_per_identity": 6, "size": 32}}}


@pytest.fixture
def tiny_base() -> dict:
    return copy.deepcopy(TINY_BASE)


def trial_workers() -> list[psutil.Process]:
    """Ray worker processes executing a sweep trial (Ray titles them ``ray::trial <run id>``)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info["cmdline"] or []
        if cmd and cmd[0].startswith("ray::trial"):
            found.append(proc)
    return found


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray (2 CPUs) for a module's sweeps: run_sweep reuses a session already open."""
    from core.cluster import ray_session

    with ray_session(num_cpus=2) as ray:
        yield ray
