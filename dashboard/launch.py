"""``unlearn-dashboard``: start the Streamlit dashboard on this machine only, with the right settings.

It binds to localhost unless told otherwise (``--address 0.0.0.0`` or ``UNLEARN_DASHBOARD_ADDRESS``
to share it on a network, e.g. a workshop), watches no files (the engine is imported once), and
passes any other arguments to ``streamlit run`` (e.g. ``--server.port 8600``). Off localhost it
requires an access token (``UNLEARN_DASHBOARD_TOKEN``, or a fresh one printed with the link) and
lets the readers open only the ``--data-root`` folders (see ``dashboard/access.py``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from dashboard.access import ROOTS_ENV, TOKEN_ENV, is_local, shared_env

APP = Path(__file__).resolve().with_name("app.py")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="unlearn-dashboard", description="Start the Unlearning Studio dashboard. Options not listed here "
        "are passed to `streamlit run` (for example --server.port 8600).")
    parser.add_argument("--address", default=os.environ.get("UNLEARN_DASHBOARD_ADDRESS", "localhost"),
                        help="interface to listen on (default localhost; 0.0.0.0 makes it reachable from your network)")
    parser.add_argument("--data-root", action="append", default=[], metavar="PATH",
                        help="a folder the dataset readers may open (repeatable; default off localhost: "
                        "$UNLEARN_HOME/data; also UNLEARN_DATA_ROOTS)")
    return parser


def build_command(argv: list[str]) -> list[str]:
    """The ``python -m streamlit run`` command line for ``argv`` (our options, then Streamlit's)."""
    args, extra = _parser().parse_known_args(argv)
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.fileWatcherType=none",
            f"--server.address={args.address}", "--server.headless=true", "--browser.gatherUsageStats=false",
            "--client.toolbarMode=minimal", "--client.showErrorDetails=none", *extra]


def server_env(argv: list[str], env: dict[str, str] | None = None) -> dict[str, str]:
    """The server's environment: the token and data roots a shared (non-localhost) dashboard needs."""
    args, _ = _parser().parse_known_args(argv)
    return shared_env(args.address, args.data_root, dict(os.environ if env is None else env))


def _announce(argv: list[str], env: dict[str, str]) -> None:
    args, extra = _parser().parse_known_args(argv)
    if is_local(args.address):
        return
    flags = " ".join(extra).replace("=", " ").split()
    port = flags[flags.index("--server.port") + 1] if "--server.port" in flags[:-1] else "8501"
    host = args.address if args.address not in ("0.0.0.0", "::") else "<this machine's address>"
    print(f"Unlearning Studio is open to the network: share http://{host}:{port}/?token={env[TOKEN_ENV]}\n"
          f"Readers may open only: {env[ROOTS_ENV]}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Become the Streamlit server (exec on POSIX, so signals reach it directly; a child process elsewhere)."""
    argv = sys.argv[1:] if argv is None else argv
    command = build_command(argv)
    env = server_env(argv)
    _announce(argv, env)
    if os.name == "posix":
        os.execve(command[0], command, env)
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:  # Ctrl-C reaches Streamlit too; it shuts down on its own
        return 130


if __name__ == "__main__":
    sys.exit(main())
