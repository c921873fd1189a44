"""The verdict first: a run's plain-words verdict (``core.verdict``) and the two or three numbers that
carry it for *this* kind of request — attack accuracy against gold's for people and images, efficacy
against chance and AUM for an attribute, the gold gap for part of a class — as cards that wrap at
projector width instead of truncating ("0.…")."""

from __future__ import annotations

from typing import Any

from core.verdict import CARRYING, DEFAULT_CARRYING
from dashboard.figures.charts import result_rows
from dashboard.components.glossary import METRIC_NOTES, VERDICT_NOTES, metric_label
from dashboard.figures.palette import model_role

ALSO_SHOWN = {"attribute": ("aum",), "identities": ("test_acc",), "samples": ("test_acc",)}  # read beside the verdict's
CARD_PX = 230  # wide enough for a label and "0.789" at a projector's 1024 px


def kind_of(results: dict[str, Any] | None) -> str:
    return (((results or {}).get("scenario") or {}).get("forget") or {}).get("kind", "identities")


def carrying_metrics(results: dict[str, Any] | None) -> list[str]:
    """The metrics the verdict reads for this run's kind, then the ones read beside them; only those present."""
    rows = result_rows(results)
    kind = kind_of(results)
    wanted = [*CARRYING.get(kind, DEFAULT_CARRYING), *ALSO_SHOWN.get(kind, ())]
    present = {m for r in rows for m in r["metrics"]}
    return [m for m in dict.fromkeys(wanted) if m in present]


def carrying_values(results: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Per carrying metric: the unlearned model's value and the gold and original values it is read against."""
    by_role = {model_role(r["model"]): r["metrics"] for r in result_rows(results)}
    out = []
    for name in carrying_metrics(results):
        u, g, o = (by_role.get(role, {}).get(name) for role in ("unlearned", "gold", "original"))
        if u is None:
            continue
        out.append({"name": name, "label": metric_label(name), "unlearned": u, "gold": g, "original": o})
    return out


def verdict_first(results: dict[str, Any] | None, key: str) -> None:
    """Draw the verdict box and the carrying cards (no box for a run stored before verdicts)."""
    verdict_box(results, key)
    carrying_cards(results, key)


def verdict_box(results: dict[str, Any] | None, key: str) -> None:
    import streamlit as st

    from dashboard.components.safe_text import md

    verdict = (results or {}).get("verdict")
    if isinstance(verdict, dict) and verdict.get("label"):
        box = {"forgotten like the gold model": st.success, "partly forgotten": st.warning,
               "not forgotten": st.error}.get(verdict["label"], st.info)
        with st.container(key=f"{key}-verdict"):
            box(f"**Verdict: {md(verdict['label'])}.** {VERDICT_NOTES.get(verdict['label'], '')}")
            st.caption(md(verdict.get("reason", "")))


def carrying_cards(results: dict[str, Any] | None, key: str) -> None:
    """The verdict's numbers as cards that wrap (a row of fixed-width cards, never squeezed to "0.…")."""
    import streamlit as st

    values = carrying_values(results)
    if not values:
        return
    with st.container(horizontal=True, key=f"{key}-carrying", gap="medium"):
        for v in values:
            ref = " · ".join(f"{role} {v[role]:.3f}" for role in ("gold", "original") if v[role] is not None)
            delta = None if v["gold"] is None else f"{v['unlearned'] - v['gold']:+.3f} vs gold"
            st.metric(v["label"], f"{v['unlearned']:.3f}", delta, delta_color="off", border=True, width=CARD_PX,
                      help=f"{METRIC_NOTES.get(v['name'], '')} Unlearned model; {ref}.")
