"""The Forget page's pure parts: a request dict from the form's choices, warnings on split sizes,
and the rows shown for each person in the gallery."""

from __future__ import annotations

from typing import Any, Callable

from core.data.forget import FORGET_KINDS, ForgetRequest
from core.data.table import ImageTable

MIN_FORGET = 5  # fewer forget images make the membership attack's numbers noisy


def _sample_list(text: str) -> list[str]:
    """Sample ids or row numbers typed comma or line separated."""
    return [s.strip() for s in text.replace("\n", ",").split(",") if s.strip()]


# How each ForgetRequest field is read from the form's choices (the keys a forget widget returns:
# identities, samples_text, column, value, values, fraction).
FORM_FIELDS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "identities": lambda form: sorted(int(i) for i in form.get("identities") or []),
    "samples": lambda form: _sample_list(form.get("samples_text", "")),
    "column": lambda form: form.get("column", ""),
    "value": lambda form: int(form.get("value", 1)),
    "values": lambda form: sorted(form.get("values") or [form.get("value", 1)]),
    "count": lambda form: int(form.get("count", 0)),
    "fraction": lambda form: float(form.get("fraction", 0.0)),
}


def build_request(kind: str, **form: Any) -> dict[str, Any]:
    """The ``forget`` section of a scenario for the chosen kind: the fields its declaration says it
    reads (``ForgetKind.fields``), each read from the form's choices."""
    return {"kind": kind, **{name: FORM_FIELDS[name](form) for name in FORGET_KINDS.get(kind).fields}}


def empty_reason(request: dict[str, Any]) -> str | None:
    """Why the request cannot select anything yet (nothing ticked or typed), as its kind says; else None."""
    reason = FORGET_KINDS.get(request["kind"]).empty_reason
    return reason(ForgetRequest(**request)) if reason else None


def size_warnings(sizes: dict[str, int]) -> list[str]:
    """Plain warnings about split sizes that make a run weak (the engine already rejects empty/all)."""
    out = []
    if sizes["forget"] < MIN_FORGET:
        out.append(f"Only {sizes['forget']} images to forget: the membership attack's numbers will be noisy.")
    if sizes["train"] and sizes["forget"] / sizes["train"] > 0.5:
        out.append(f"The forget set is {sizes['forget'] / sizes['train']:.0%} of training: the gold model learns from "
                   "little data, so every model's accuracy will be low.")
    if sizes["unseen"] < sizes["forget"]:
        out.append(f"Fewer unseen images ({sizes['unseen']}) than forget images ({sizes['forget']}): the attack "
                   "compares against a small reference.")
    return out


def person_rows(table: ImageTable, identity: int, per: int = 3) -> list[int]:
    """The first ``per`` rows of one person, for the gallery."""
    return (table.identity == identity).nonzero().squeeze(1)[:per].tolist()


def gallery_page(identities: list[int], page: int, per_page: int) -> list[int]:
    """One page (0-based) of the identities list."""
    return identities[page * per_page:(page + 1) * per_page]


def ticked(state: dict, prefix: str) -> list[int]:
    """Identities whose checkbox ``{prefix}{id}`` is ticked in session state."""
    return sorted(int(k[len(prefix):]) for k, v in state.items() if str(k).startswith(prefix) and v)




def update_ticked(chosen: set[int], shown: dict[int, bool]) -> set[int]:
    """The ticked people after one gallery page: ``shown`` (person -> ticked) replaces those people's
    state, everyone on the other pages stays as chosen before."""
    return (set(chosen) - set(shown)) | {p for p, on in shown.items() if on}
