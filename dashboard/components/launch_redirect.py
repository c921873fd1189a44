"""The one way every launch button lands on its run: the Run page with ``?run=ID`` in the URL.

``st.switch_page`` starts the new page with the query parameters it is given and no others, so
setting ``st.query_params`` first and switching without them lands on "No run selected yet".
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

RUN_PAGE = Path(__file__).resolve().parents[1] / "views" / "run.py"


def run_link_params(run_id: str) -> dict[str, str]:
    """The query parameters that open ``run_id`` on the Run page (teaching mode kept, see teaching.py)."""
    from dashboard.components.teaching import url_params

    return {"run": run_id, **url_params()}


def go_to_run(run_id: str) -> None:
    """Open the Run page on ``run_id`` (never returns: Streamlit stops this script run)."""
    st.switch_page(RUN_PAGE, query_params=run_link_params(run_id))
