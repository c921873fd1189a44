"""Who may use a dashboard opened beyond this machine: an access token and the data folders.

On localhost nothing is asked. Bound to any other address (a workshop network), ``unlearn-dashboard``
requires a token (``UNLEARN_DASHBOARD_TOKEN``, or a fresh one it prints with the link) that the
app checks before any page renders, and limits the readers to the data folders given with
``--data-root`` (``UNLEARN_DATA_ROOTS``; by default ``$UNLEARN_HOME/data``), since visitors could
otherwise launch, cancel and delete runs and make the readers open any path on the server.
"""

from __future__ import annotations

import hmac
import os
import secrets
from pathlib import Path
from typing import MutableMapping

from core.data.roots import ENV as ROOTS_ENV

TOKEN_ENV = "UNLEARN_DASHBOARD_TOKEN"
LOCAL_ADDRESSES = ("localhost", "127.0.0.1", "::1")
AUTH_KEY = "access.granted"


def is_local(address: str | None) -> bool:
    """Only this machine can connect (an unset address means Streamlit listens on every interface)."""
    return (address or "").strip().lower() in LOCAL_ADDRESSES


def shared_env(address: str, data_roots: list[str], env: MutableMapping[str, str]) -> dict[str, str]:
    """The environment the server runs with: off localhost a token (kept if set) and data roots (the
    ones given, else those already set, else ``$UNLEARN_HOME/data``); on localhost roots only if given."""
    out = dict(env)
    if data_roots:
        out[ROOTS_ENV] = os.pathsep.join(str(Path(r).expanduser().resolve()) for r in data_roots)
    if is_local(address):
        return out
    out[TOKEN_ENV] = out.get(TOKEN_ENV) or secrets.token_urlsafe(18)
    if not out.get(ROOTS_ENV):
        from core import paths

        home = Path(out["UNLEARN_HOME"]).expanduser() if out.get("UNLEARN_HOME") else paths.home()
        out[ROOTS_ENV] = str(home / "data")
    return out


def token_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())


def admit(session: MutableMapping, query: MutableMapping, address: str | None,
          env: MutableMapping[str, str]) -> str | None:
    """None when this browser session may see the pages; else the message to show instead.

    A token in ``?token=`` is checked once, then remembered in the session and dropped from the URL
    (so it is not left in the address bar or shared links)."""
    expected = env.get(TOKEN_ENV, "")
    if not expected:
        if is_local(address):
            return None
        where = address or "every network interface"
        return (f"This dashboard listens on {where} without an access token, so it stays closed. Start it with "
                f"`unlearn-dashboard` (this machine only) or `unlearn-dashboard --address 0.0.0.0` (it prints a link "
                f"with a token), or set {TOKEN_ENV}.")
    if session.get(AUTH_KEY):
        return None
    given = query.get("token")
    if token_ok(expected, given):
        session[AUTH_KEY] = True
        query.pop("token", None)
        return None
    return ("This dashboard needs its access token: open the link printed where it was started "
            "(it ends with `?token=…`), or ask whoever started it.")
