"""Connecting to Ray: a local instance on this machine's cores by default, or an existing cluster.

Ray is imported and started only here, when a sweep, a parallel tune or bench, or the ε-score's model
set runs — never at import of ``core``. An engine module: it knows Ray, not sweeps, so the pipeline's
ε-score models (:mod:`core.pipeline.epsilon_models`) use it as the sweeps do. Its dashboard and usage statistics
are off, so nothing leaves the machine. ``address`` (``auto``, ``host:port`` or ``ray://host:port``),
else ``RAY_ADDRESS``, joins a running cluster; without either a local Ray is started and shut down again
when the session ends. ``ray://`` (Ray Client,
for a driver outside the cluster) needs the ``ray[client]`` extra; ``auto``/``HOST:PORT`` need nothing more.
"""

from __future__ import annotations

import importlib.util
import os
import socket
from contextlib import contextmanager
from typing import Iterator


class ClusterError(RuntimeError):
    """Ray could not be started or joined; the message says what was tried and what to do."""


def _quiet_env() -> None:
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # no usage report to the network
    os.environ.setdefault("RAY_DISABLE_IMPORT_WARNING", "1")


PROBE_SECONDS = 5.0  # how long a HOST:PORT address may take to accept a connection before it is called unreachable


def check_reachable(address: str) -> None:
    """A ``HOST:PORT`` address must accept a TCP connection: Ray itself retries an unreachable one for minutes."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return  # ``auto`` and ``ray://`` are Ray's to resolve
    try:
        socket.create_connection((host, int(port)), timeout=PROBE_SECONDS).close()
    except OSError as exc:
        raise ClusterError(f"no Ray cluster answers at {address} ({exc}); start one there (`ray start --head "
                           f"--port={port}`), check the address with `ray status` on its head node, or run "
                           "without --address for a local Ray") from None


@contextmanager
def ray_session(address: str | None = None, num_cpus: float | None = None) -> Iterator[object]:
    """Yield the ``ray`` module connected to ``address`` (or RAY_ADDRESS), else to a local instance
    with ``num_cpus`` CPUs (default: all). A session already open in this process is reused as is."""
    _quiet_env()
    import ray

    if ray.is_initialized():
        yield ray
        return
    address = address or os.environ.get("RAY_ADDRESS") or None
    if address and address.startswith("ray://") and importlib.util.find_spec("grpc") is None:
        raise ClusterError(f"{address}: a ray:// address goes through Ray Client, which needs `pip install "
                           "'ray[client]'`; or run the sweep on a cluster node with --address auto (or HOST:PORT)")
    if address and not address.startswith("ray://"):
        check_reachable(address)
    try:
        if address:
            ray.init(address=address, log_to_driver=False)
        else:
            ray.init(num_cpus=None if num_cpus is None else max(1, int(num_cpus)), include_dashboard=False,
                     log_to_driver=False)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise ClusterError(f"could not start or join {where} ({exc}); check the address "
                           "(`ray status` on the head node shows it) or run without --address") from exc
    try:
        yield ray
    finally:
        ray.shutdown()
