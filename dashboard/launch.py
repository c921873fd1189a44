"""``unlearn-dashboard``: start the Streamlit dashboard on this machine only, with the right settings.

It binds to localhost unless told otherwise (``--address 0.0.0.0`` or ``UNLEARN_DASHBOARD_ADDRESS``
to share it on a network, e.g. a workshop), watches no files (the engine is imported once), and
passes any other arguments to ``streamlit run`` (e.g. ``--server.port 8600``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().with_name("app.py")


def build_command(argv: list[str]) -> list[str]:
    """The ``python -m streamlit run`` command line for ``argv`` (our options, then Streamlit's)."""
    parser = argparse.ArgumentParser(
        prog="unlearn-dashboard", description="Start the Unlearning Studio dashboard. Options not listed here "
        "are passed to `streamlit run` (for example --server.port 8600).")
    parser.add_argument("--address", default=os.environ.get("UNLEARN_DASHBOARD_ADDRESS", "localhost"),
                        help="interface to listen on (default localhost; 0.0.0.0 makes it reachable from your network)")
    args, extra = parser.parse_known_args(argv)
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.fileWatcherType=none",
            f"--server.address={args.address}", "--server.headless=true", "--browser.gatherUsageStats=false",
            "--client.toolbarMode=minimal", *extra]


def main(argv: list[str] | None = None) -> int:
    """Become the Streamlit server (exec on POSIX, so signals reach it directly; a child process elsewhere)."""
    command = build_command(sys.argv[1:] if argv is None else argv)
    if os.name == "posix":
        os.execv(command[0], command)
    try:
        return subprocess.call(command)
    except KeyboardInterrupt:  # Ctrl-C reaches Streamlit too; it shuts down on its own
        return 130


if __name__ == "__main__":
    sys.exit(main())
