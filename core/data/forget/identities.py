"""Forget kind ``identities``: every training image of the chosen people."""

from __future__ import annotations

import torch

from core.data.forget.kind import ForgetKind, register_kind
from core.data.forget.request import ForgetRequest
from core.data.source import DataError
from core.data.table import ImageTable

SHOWN = 6  # people named in a title before "…"


def resolve_identities(table: ImageTable, wanted: list) -> list[int]:
    """Codes of the requested identities, each given as a code or as the user's name of it; an
    unknown one is a DataError listing the names (and codes) there are."""
    by_name = {name: code for code, name in table.identity_names.items()}
    known = set(table.identity.unique().tolist())
    codes, unknown = [], []
    for who in wanted:
        if isinstance(who, str) and who in by_name:
            codes.append(by_name[who])
        elif isinstance(who, int) and who in known:
            codes.append(who)
        elif isinstance(who, str) and who.isdigit() and int(who) in known:
            codes.append(int(who))
        else:
            unknown.append(who)
    if unknown:
        some = ", ".join(table.identity_label(c) for c in sorted(known)[:20])
        raise DataError(f"forget.identities: {unknown[:10]} are not identities of {table.name!r}; "
                        f"give a code or a name, e.g. {some}{' ...' if len(known) > 20 else ''}")
    return codes


def select(table: ImageTable, train: torch.Tensor, req: ForgetRequest, gen: torch.Generator) -> torch.Tensor:
    """Every training image of the named people, or of ``count`` people drawn at random when none is named."""
    if table.identity is None:
        raise DataError(f"forget.kind: dataset {table.name!r} has no identities; use samples, class or attribute")
    ids_in_train = table.identity[train].unique()
    chosen = torch.tensor(resolve_identities(table, req.identities), dtype=torch.long)
    if req.count and not req.identities:
        if req.count >= len(ids_in_train):
            raise DataError(f"forget.count: {req.count} identities is all of train's {len(ids_in_train)}; choose fewer")
        chosen = ids_in_train[torch.randperm(len(ids_in_train), generator=gen)[: req.count]]
    missing = sorted(set(chosen.tolist()) - set(ids_in_train.tolist()))
    if missing:
        shown = ", ".join(table.identity_label(c) for c in missing[:10])
        some = ", ".join(table.identity_label(c) for c in ids_in_train[:20].tolist())
        raise DataError(f"forget.identities: {shown} are not in the training split (they are test/unseen); "
                        f"pick from {some}...")
    return torch.isin(table.identity[train], chosen)


def title(req: ForgetRequest) -> str:
    """"people 4, 17" (the first few named), or "8 random people"."""
    if not req.identities:
        return f"{req.count or 'some'} random people"
    return "people " + ", ".join(map(str, req.identities[:SHOWN])) + (" …" if len(req.identities) > SHOWN else "")


def empty_reason(req: ForgetRequest) -> str | None:
    """Nobody named and no random count: nothing to forget yet."""
    return None if req.identities or req.count else "Tick at least one person to forget."


IDENTITIES = register_kind(ForgetKind(
    name="identities", label="People", unit="person", fields=("identities",),
    help="Forget people: every training image of each ticked person.",
    description="every image of the chosen people (identities) in train",
    select=select, title=title, empty_reason=empty_reason))
