"""User text shown through Streamlit's markdown, made inert.

Run names, scenario values, file paths and error messages come from whoever launched the run or
wrote the CSV; Streamlit renders labels, captions, headers and alerts as markdown, so a run named
``![x](http://host/track.png)`` would load a remote image and ``[click](http://…)`` would be a
link. ``md`` backslash-escapes every markdown and Streamlit directive character so the text shows
exactly as typed. (HTML is never enabled for user text: no ``unsafe_allow_html`` with it.)
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]<>#!|~$])")  # ( ) . - : stay: inert without [ ]


def md(text: object) -> str:
    """``text`` with markdown, HTML-ish and Streamlit ``:directive[...]`` characters escaped, and bare
    URLs (``http://…``) kept from turning into links."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("://", "\\://").replace("\n", " ")

