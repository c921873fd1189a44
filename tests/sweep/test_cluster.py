"""A two-node Ray cluster on loopback (`ray start --head` plus a second node joining it): a sweep sent
to it through `unlearn sweep --address` lands every trial in the store, and its trials ran on both nodes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from core.cli.main import main
from core.runs import RunStore

RAY = str(Path(sys.executable).with_name("ray"))
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ray_cli(*args: str, env: dict) -> None:
    done = subprocess.run([RAY, *args], env=env, capture_output=True, text=True, timeout=START_TIMEOUT)
    assert done.returncode == 0, f"ray {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.fixture
def two_node_cluster(monkeypatch):
    """Head (1 CPU) and a second node (1 CPU) on 127.0.0.1, a throwaway temp dir, stopped afterwards.
    Token authentication is off for the whole test session (tests/conftest.py: Ray reads the mode once
    per process, so it must not change mid-session); the cluster lives on loopback for one test."""
    temp = tempfile.mkdtemp(prefix="ray-", dir="/tmp")  # short: Ray's socket paths live under it
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    env = dict(os.environ)
    port = free_port()
    try:
        ray_cli("start", "--head", f"--port={port}", "--num-cpus=1", "--include-dashboard=false",
                f"--temp-dir={temp}", "--disable-usage-stats", env=env)
        ray_cli("start", f"--address=127.0.0.1:{port}", "--num-cpus=1", env=env)
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([RAY, "stop", "--force"], env=env, capture_output=True, timeout=START_TIMEOUT)
        shutil.rmtree(temp, ignore_errors=True)


def test_sweep_on_a_two_node_cluster_lands_every_trial_in_the_store(two_node_cluster, tiny_base, tmp_path):
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump({"base": tiny_base, "axes": {"method.name": ["finetune", "neggrad"]}}))
    out = tmp_path / "out.json"
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--address", two_node_cluster, "--json", str(out)]) == 0
    doc = json.loads(out.read_text())
    store = RunStore()
    runs = [store.get(t["run_id"]) for t in doc["trials"]]
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert all(r.sweep == doc["sweep"] for r in runs) and len(store.list()) == 2
    assert [r.results["results"][-1]["model"] for r in runs] == ["finetune", "neggrad"]
    assert len({r.results["ray_worker"]["node_id"] for r in runs}) == 2  # one trial on each node
