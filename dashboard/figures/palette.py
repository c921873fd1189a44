"""One palette for the whole dashboard: a colour per model role, per live metric and per status.

The same model keeps the same colour in every chart and table (original grey, gold golden,
unlearned teal), so a reader learns it once.
"""

from __future__ import annotations

from core.metric_words import declared

MODEL_COLORS: dict[str, str] = {"original": "#7f7f7f", "gold": "#d4a017", "unlearned": "#1f9e89"}

METRIC_COLORS: dict[str, str] = {k.name: k.color for k in declared() if k.color}  # declared with each metric

# Streamlit's named markdown colours (used by badges).
STATUS_COLORS: dict[str, str] = {"queued": "gray", "running": "blue", "succeeded": "green",
                                 "failed": "red", "cancelled": "orange", "lost": "violet"}


def model_role(name: str) -> str:
    """``original`` and ``gold`` are the reference models; any other row is the unlearned model."""
    return name if name in ("original", "gold") else "unlearned"


def model_color(name: str) -> str:
    return MODEL_COLORS[model_role(name)]


def metric_color(name: str) -> str:
    return METRIC_COLORS.get(name, "#555555")

# Runs side by side (Compare page): one colour per run, the same in every chart of that page.
RUN_COLORS: tuple[str, ...] = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                               "#17becf", "#bcbd22", "#393b79")


def run_colors(run_ids: list[str]) -> dict[str, str]:
    """A colour per run in the given order (cycling after ten)."""
    return {rid: RUN_COLORS[i % len(RUN_COLORS)] for i, rid in enumerate(run_ids)}
