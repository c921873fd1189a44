"""Unlearning Studio's dashboard: ``streamlit run dashboard/app.py`` (or the ``unlearn-dashboard`` command).

A router only: the pages live in ``views/`` and are given to ``st.navigation`` by absolute path,
so the app runs from any working directory.
"""

import sys
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # `streamlit run path/to/app.py` without installing the package
    sys.path.insert(0, str(HERE.parent))

from core import paths  # noqa: E402

st.set_page_config(page_title="Unlearning Studio", layout="wide")
PAGES = [
    st.Page(HERE / "views" / "run.py", title="Run", icon=":material/play_circle:", default=True),
    st.Page(HERE / "views" / "runs.py", title="Runs", icon=":material/history:"),
]
page = st.navigation(PAGES)
st.sidebar.caption(f"Runs and cached models are kept in `{paths.home()}` (set `UNLEARN_HOME` to move them).")
page.run()
