"""One plain-words verdict per run, from its results document's bootstrap intervals (``metric_ci``).

For each *carrying* metric of the forget kind (:data:`CARRYING`) the unlearned model's 95% interval is
compared with the gold model's (retrained without the forget set) and the original's:

- the forget set can only tell the two references apart on a metric whose gold and original intervals
  are disjoint; when there are fewer than :data:`MIN_UNITS` forgotten units (people, or images), or no
  carrying metric separates gold from original, the verdict is **"too few forgotten units to tell"**:
  whatever the unlearned model scores, it would sit inside both;
- on the separating metrics: overlapping gold's interval and not the original's on every one is
  **"forgotten like the gold model"**; overlapping the original's and not gold's on every one is
  **"not forgotten"**; anything else (between them, both, beyond gold, or mixed) is **"partly forgotten"**.

Pure function of the document (no model, no data): the pipeline stores its result as
``doc["verdict"] = {"label", "reason"}``; the CLI, the Run page and the report show it.
"""

from __future__ import annotations

import math
from typing import Any

FORGOTTEN, PARTLY, NOT_FORGOTTEN, TOO_FEW = ("forgotten like the gold model", "partly forgotten", "not forgotten",
                                            "too few forgotten units to tell")
LABELS = (FORGOTTEN, PARTLY, NOT_FORGOTTEN, TOO_FEW)
MIN_UNITS = 5  # below this many forgotten people/images a 95% interval cannot separate anything we report
DEFAULT_CARRYING = ("forget_acc", "mia_acc")
CARRYING: dict[str, tuple[str, ...]] = {  # the metrics that say whether a kind of request was forgotten
    "identities": DEFAULT_CARRYING, "samples": DEFAULT_CARRYING, "class": DEFAULT_CARRYING,
    "pattern": DEFAULT_CARRYING, "attribute": ("efficacy",), "class_subset": ("gold_gap",),
}


def _interval(row: dict | None, name: str) -> tuple[float, float] | None:
    ci = ((row or {}).get("metric_ci") or {}).get(name)
    if not ci or len(ci) != 2 or any(v is None or not math.isfinite(v) for v in ci):
        return None
    return float(ci[0]), float(ci[1])


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _rows(doc: dict) -> tuple[dict | None, dict | None, dict | None]:
    rows = {r.get("model"): r for r in doc.get("results") or []}
    method = next((r for name, r in rows.items() if name not in ("original", "gold")), None)
    return rows.get("original"), rows.get("gold"), method


def _count(count: int, unit: str) -> str:
    return f"{count} {'people' if unit == 'person' and count != 1 else unit if count == 1 else unit + 's'}"


def _fmt(ci: tuple[float, float]) -> str:
    return f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def verdict(doc: dict[str, Any]) -> dict[str, str]:
    """``{"label": one of LABELS, "reason": the intervals that decided it}`` for a results document."""
    original, gold, method = _rows(doc)
    kind = ((doc.get("scenario") or {}).get("forget") or {}).get("kind", "identities")
    units = doc.get("forget_units") or {}
    count, unit = int(units.get("count", 0)), str(units.get("unit", "unit"))
    if method is None or gold is None or original is None:
        return {"label": TOO_FEW, "reason": "the results lack the original, gold or unlearned row"}
    if count < MIN_UNITS:
        return {"label": TOO_FEW, "reason": f"{_count(count, unit)} forgotten: at least {MIN_UNITS} are needed before a "
                                            "95% interval can separate the gold model from the original"}
    carrying = CARRYING.get(kind, DEFAULT_CARRYING)
    judged: list[tuple[str, str]] = []  # (metric, "gold" | "original" | "between")
    notes: list[str] = []
    for name in carrying:
        u, g, o = (_interval(r, name) for r in (method, gold, original))
        if u is None or g is None or o is None:
            notes.append(f"{name} has no interval")
            continue
        if _overlap(g, o):
            notes.append(f"{name}: gold {_fmt(g)} and original {_fmt(o)} overlap")
            continue
        near_gold, near_original = _overlap(u, g), _overlap(u, o)
        side = "gold" if near_gold and not near_original else "original" if near_original and not near_gold else "between"
        judged.append((name, side))
        notes.append(f"{name}: unlearned {_fmt(u)}, gold {_fmt(g)}, original {_fmt(o)}")
    reason = "; ".join(notes)
    if not judged:
        return {"label": TOO_FEW, "reason": f"no carrying metric ({', '.join(carrying)}) separates gold from the "
                                            f"original with {_count(count, unit)} forgotten: {reason}"}
    sides = {side for _, side in judged}
    label = FORGOTTEN if sides == {"gold"} else NOT_FORGOTTEN if sides == {"original"} else PARTLY
    return {"label": label, "reason": reason}


def verdict_line(doc: dict[str, Any]) -> str:
    """The verdict as printed by ``unlearn run``/``demo``: label, then why."""
    v = doc.get("verdict") or verdict(doc)
    return f"verdict: {v['label']} ({v['reason']})"
