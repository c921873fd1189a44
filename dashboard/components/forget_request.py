"""The Forget page's pure parts: a request dict from the form's choices, warnings on split sizes,
and the rows shown for each person in the gallery."""

from __future__ import annotations

from typing import Any


from core.data.table import ImageTable

MIN_FORGET = 5  # fewer forget images make the membership attack's numbers noisy
KIND_HELP = {
    "identities": "Forget people: every training image of each ticked person.",
    "samples": "Forget individual images, by sample id (file name) or row number.",
    "class": "Forget every training image of one or more classes of a column.",
    "class_subset": "Forget a random part of one class.",
    "attribute": "Forget an attribute: the model should no longer encode it (its images form the forget set).",
    "pattern": "Forget a visual pattern found without labels (a filter group, e.g. glasses): it is erased from every "
               "image; the column and value below only pick the images the audit checks.",
}


def build_request(kind: str, *, identities: list[int] | None = None, samples_text: str = "", column: str = "",
                  value: int = 1, values: list[int] | None = None, fraction: float = 0.0) -> dict[str, Any]:
    """The ``forget`` section of a scenario for the chosen kind (only the fields that kind reads)."""
    if kind == "identities":
        return {"kind": kind, "identities": sorted(int(i) for i in identities or [])}
    if kind == "samples":
        return {"kind": kind, "samples": [s.strip() for s in samples_text.replace("\n", ",").split(",") if s.strip()]}
    if kind == "class":
        return {"kind": kind, "column": column, "values": sorted(values or [value])}
    if kind == "class_subset":
        return {"kind": kind, "column": column, "value": int(value), "fraction": float(fraction)}
    return {"kind": kind, "column": column, "value": int(value)}


def empty_reason(request: dict[str, Any]) -> str | None:
    """Why the request cannot select anything yet (nothing ticked or typed), else None."""
    if request["kind"] == "identities" and not request["identities"]:
        return "Tick at least one person to forget."
    if request["kind"] == "samples" and not request["samples"]:
        return "Type at least one sample id or row number."
    return None


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
