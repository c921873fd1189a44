"""pandas tables of runs and results for ``st.dataframe`` (pure, so tested without Streamlit)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

import pandas as pd

from core.metrics.mia import attack_notes as core_attack_notes
from dashboard.figures.charts import result_rows
from dashboard.components.glossary import METRIC_LABELS
from dashboard.figures.palette import model_role

METRIC_ORDER = tuple(METRIC_LABELS)  # the engine's fixed metric names, in the order columns appear
COUNT_METRICS = frozenset({"mia_n"})  # whole numbers, shown without decimals
CI_SUFFIX = " 95%"  # the column beside a metric holding its bootstrap interval as text, "[lo, hi]"


def column_format(name: str) -> str:
    """The printf format of a metric's column: counts as integers, scores with 3 decimals."""
    return "%d" if name in COUNT_METRICS else "%.3f"


def interval_text(ci: Any) -> str | None:
    """``[0.62, 0.88]`` for a stored ``metric_ci`` entry; None when there is none (or it is NaN)."""
    if not ci or len(ci) != 2 or any(v is None or v != v for v in ci):
        return None
    return f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def interval_columns(row: dict[str, Any], names: Iterable[str]) -> dict[str, str | None]:
    """``{"<metric> 95%": "[lo, hi]"}`` for each of ``names`` the row has an interval of."""
    ci = row.get("metric_ci") or {}
    return {f"{m}{CI_SUFFIX}": interval_text(ci.get(m)) for m in names if m in ci}


def with_intervals(names: list[str], rows: list[dict]) -> list[str]:
    """Column order: each metric followed by its interval column when some row has one."""
    out = []
    for m in names:
        out.append(m)
        if any(m in (r.get("metric_ci") or {}) for r in rows):
            out.append(f"{m}{CI_SUFFIX}")
    return out


def attack_notes(results: dict[str, Any] | None) -> dict[str, list[str]]:
    """Why a run's membership attack has no number, and how its non-members were chosen (core's reading)."""
    return core_attack_notes(result_rows(results))


def results_table(results: dict[str, Any] | None) -> pd.DataFrame:
    """One row per model (original, gold, unlearned) and one column per metric, known names first; a metric
    with a bootstrap interval (``metric_ci``) is followed by its ``"<metric> 95%"`` column, ``[lo, hi]``."""
    rows = result_rows(results)
    if not rows:
        return pd.DataFrame(columns=["model", "role"])
    names = [m for m in METRIC_ORDER if any(m in r["metrics"] for r in rows)]
    names += sorted({m for r in rows for m in r["metrics"]} - set(names))
    data = [{"model": r["model"], "role": model_role(r["model"]), **{m: r["metrics"].get(m) for m in names},
             **interval_columns(r, names)} for r in rows]
    return pd.DataFrame(data, columns=["model", "role", *with_intervals(names, rows)])


def run_verdict(results: dict[str, Any] | None) -> dict[str, str] | None:
    """The stored verdict of a run (core/verdict.py); None for runs stored before verdicts existed."""
    verdict = (results or {}).get("verdict")
    return verdict if isinstance(verdict, dict) and verdict.get("label") else None


def format_duration(seconds: float | None) -> str:
    """``1 h 02 min``, ``3 min 05 s``, ``12 s``; an empty string when unknown."""
    if seconds is None:
        return ""
    s = max(0, int(round(seconds)))
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s} s"


def unlearned_metric(results: dict[str, Any] | None, name: str) -> float | None:
    """A final metric of the unlearned model (the row that is neither original nor gold), if any."""
    rows = [r for r in result_rows(results) if model_role(r["model"]) == "unlearned"]
    return rows[-1]["metrics"].get(name) if rows else None


def runs_table(runs: Iterable[Any]) -> pd.DataFrame:
    """The runs list (newest first, as the store returns it): id, name, status, method, the unlearned
    model's NoMUS when finished (to compare methods at a glance), duration, device, creation time."""
    data = [{
        "id": r.id, "name": r.name, "status": r.status,
        "method": (r.config.get("method") or {}).get("name", "") if isinstance(r.config, dict) else "",
        "nomus": unlearned_metric(r.results, "nomus"), "duration": format_duration(r.duration),
        "device": r.device or "", "created": dt.datetime.fromtimestamp(r.created).strftime("%Y-%m-%d %H:%M:%S"),
    } for r in runs]
    return pd.DataFrame(data, columns=["id", "name", "status", "method", "nomus", "duration", "device", "created"])
