"""The identities kind's inputs: a paged gallery of the training people, each with a tick box.

The ticked people are kept apart from the checkboxes (``PEOPLE_KEY``), so ticks on other gallery
pages, another kind or another page of the app survive.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.data.preview import grid_image
from core.data.split_rows import train_identities
from core.data.table import ImageTable
from dashboard.components.forget_request import gallery_page, person_rows, update_ticked
from dashboard.components.forget_widgets.base import FORGET_WIDGETS, remembered
from dashboard.components.kept_state import kept, remember, set_kept
from dashboard.components.safe_text import md

PERSON_KEY = "forget.person."
PEOPLE_KEY = "forget.people"  # the ticked people, kept across kinds, gallery pages and page visits
PER_PAGE = 12


@FORGET_WIDGETS.register("identities")
def people(kind: str, table: ImageTable) -> dict[str, Any]:
    """One gallery page of the people in train with a tick box each; returns the ticked ones."""
    in_train = train_identities(table)
    if not in_train:
        st.warning("This dataset has no people to choose: forget images, a class or an attribute instead.")
        return {}
    pages = (len(in_train) - 1) // PER_PAGE + 1
    page = remembered(st.number_input, f"Gallery page (of {pages})", "forget.gallery_page", 1,
                      min_value=1, max_value=pages) - 1
    chosen = set(kept(PEOPLE_KEY, []))
    shown = gallery_page(in_train, page, PER_PAGE)
    for col, person in zip(st.columns(4) * PER_PAGE, shown):
        with col:
            st.image(grid_image(table, index=person_rows(table, person), columns=[]), width="stretch")
            remember(f"{PERSON_KEY}{person}", person in chosen)
            st.checkbox(f"Person {md(table.identity_label(person))}", key=f"{PERSON_KEY}{person}")
    chosen = update_ticked(chosen, {p: st.session_state[f"{PERSON_KEY}{p}"] for p in shown})
    set_kept(PEOPLE_KEY, sorted(chosen))
    identities = [p for p in sorted(chosen) if p in set(in_train)]
    st.caption(f"{len(identities)} ticked: {md(', '.join(map(table.identity_label, identities))) or 'none'}. "
               f"Only the {len(in_train)} people in the training split are offered.")
    return {"identities": identities}
