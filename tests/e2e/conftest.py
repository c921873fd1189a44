"""Real-browser fixtures: Debian's chromium driven by pytest-playwright, and a dashboard subprocess.

Never ``playwright install``: the browser is ``/usr/bin/chromium`` (``apt-get install -y chromium``);
without it these tests are skipped with that hint. The dashboard runs on a free port with
``UNLEARN_HOME`` set to the test's folder; on teardown every run it started is cancelled and its
worker waited for, so no process outlives the test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.runs import RunStore, cancel

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
READY = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 1800}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the dashboard exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the dashboard did not answer on {url} within {timeout:.0f} s")


def _stop_runs(store: RunStore, timeout: float = 60.0) -> None:
    """Cancel every active run and wait for its worker; SIGKILL what does not stop in time."""
    active = [r for r in store.list() if r.active]
    for run in active:
        cancel(store, run.id)
    deadline = time.time() + timeout
    while any(store.get(r.id).active for r in active) and time.time() < deadline:
        time.sleep(0.3)
    for run in active:
        if run.pid and store.get(run.id).active:
            try:
                os.kill(run.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.fixture
def dashboard(unlearn_home, tmp_path):
    """The dashboard's base URL, served by ``python -m streamlit run dashboard/app.py`` in a subprocess."""
    port = _free_port()
    url = f"http://localhost:{port}"
    env = dict(os.environ, UNLEARN_HOME=str(unlearn_home), PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
    log = open(tmp_path / "streamlit.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
                             "--server.headless", "true", "--server.fileWatcherType", "none",
                             "--server.address", "localhost", "--browser.gatherUsageStats", "false",
                             "--client.toolbarMode", "minimal"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(url, proc)
        yield url
    finally:
        _stop_runs(RunStore(unlearn_home / "runs.db"))
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
