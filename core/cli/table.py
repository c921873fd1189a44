"""A run's results as the command line prints them: the metric table and the verdict lines under it.

Shared by ``unlearn run``/``demo``/``show`` (:mod:`core.cli.main`) and ``unlearn tune --launch``
(:mod:`core.tune.command`) through :mod:`core.cli.execute`, so every command prints a run the same way.
"""

from __future__ import annotations

import math


def table_metrics() -> list[str]:
    """The results table's columns, in order: the declared headline keys (core/metrics/*.py, run_keys.py)."""
    from core.metric_words import declared

    return [k.name for k in declared() if k.headline]


def format_table(results: list[dict]) -> str:
    """Models as rows, the metrics they have as columns."""
    cols = [m for m in table_metrics() if any(m in r["metrics"] for r in results)]
    lines = [f"{'model':<16}" + "".join(f"{c:>{max(len(c), 8) + 2}}" for c in cols)]
    for r in results:
        cells = []
        for c in cols:
            v = r["metrics"].get(c)
            text = "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.1f}" if c.endswith("seconds") else f"{v:.3f}"
            cells.append(f"{text:>{max(len(c), 8) + 2}}")
        lines.append(f"{r['model']:<16}" + "".join(cells))
    return "\n".join(lines)


def outcome_lines(doc: dict) -> str:
    """The verdict (core/verdict.py) and the notes a reader needs to read the times (a checkpoint's)."""
    from core.verdict import verdict_line

    return "\n".join([verdict_line(doc), *(f"note: {n}" for n in doc.get("notes") or [])])


def headline(error: str) -> str:
    """The named message of a stored error: its first paragraph, without the traceback kept under it."""
    return error.strip().split("\n\n", 1)[0].strip()
