"""Unlearning Studio's dashboard: ``streamlit run dashboard/app.py`` (or the ``unlearn-dashboard`` command).

Both bind localhost (``dashboard/.streamlit/config.toml``); off localhost the access check of
``dashboard/access.py`` runs before any page.

A router only: the pages live in ``views/`` and are given to ``st.navigation`` by absolute path,
so the app runs from any working directory.
"""

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `streamlit run path/to/app.py` without installing the package
    sys.path.insert(0, str(HERE.parent))

import os  # noqa: E402

from core import paths  # noqa: E402
from dashboard.access import admit  # noqa: E402
from dashboard.components.teaching import teaching_toggle  # noqa: E402

st.set_page_config(page_title="Unlearning Studio", layout="wide")
# Off localhost no page renders before the access token checks out (see dashboard/access.py).
refused = admit(st.session_state, st.query_params, st.get_option("server.address"), os.environ)
if refused:
    st.title("Unlearning Studio")
    st.error(refused)
    st.stop()
PAGES = [
    st.Page(HERE / "views" / "home.py", title="Home", icon=":material/home:", default=True),
    st.Page(HERE / "views" / "data.py", title="Data & model", icon=":material/database:"),
    st.Page(HERE / "views" / "forget.py", title="Forget", icon=":material/person_remove:"),
    st.Page(HERE / "views" / "run.py", title="Run", icon=":material/play_circle:"),
    st.Page(HERE / "views" / "runs.py", title="Runs", icon=":material/history:"),
    st.Page(HERE / "views" / "audit.py", title="Audit", icon=":material/fact_check:"),
    st.Page(HERE / "views" / "compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page(HERE / "views" / "sweeps.py", title="Sweeps", icon=":material/grid_view:"),
    st.Page(HERE / "views" / "filter_groups.py", title="Filter groups", icon=":material/hub:"),
]
page = st.navigation(PAGES)
teaching_toggle()
st.sidebar.caption(f"Runs and cached models are kept in `{paths.home()}` (set `UNLEARN_HOME` to move them).")
page.run()
