"""The report's privacy-audit sections: the per-sample top risks and the ε-score's distribution.

Read from the results document (``risk_table``, ``epsilon``, ``attack_costs``) and the run folder's
``risk_table.json`` (for the thumbnails); nothing is recomputed. The ε histogram is an inline SVG
(matplotlib, like the report's other charts) rather than plotly: the report carries no JavaScript.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.artifacts import RunArtifacts
from core.report.charts import _svg
from core.report.html import esc, table

TOP = 10


def _thumbs(run_dir: Path, res: dict) -> dict[int, str]:
    path = RunArtifacts(Path(run_dir), res).risk_table
    if not path.is_file():
        return {}
    return {r["row"]: r["thumb"] for r in json.loads(path.read_text())["rows"] if r.get("thumb")}


def risk_section(res: dict, run_dir: Path) -> str:
    """The forget images most exposed after unlearning, with rank, score and loss under each model."""
    info = res.get("risk_table")
    if not info or not info.get("top"):
        return ""
    attack, thumbs = info["attack"], _thumbs(run_dir, res)
    models = list(info["top"][0]["loss"])
    headers = ["row", "person", *(f"rank {m}" for m in models), *(f"{attack} {m}" for m in models),
               *(f"loss {m}" for m in models)]
    top = info["top"][:TOP]
    rows = [[r["row"], r.get("unit"), *(r["rank"].get(m) for m in models),
             *(r["scores"].get(attack, {}).get(m) for m in models), *(r["loss"].get(m) for m in models)] for r in top]
    gallery = "".join(f'<span style="display:inline-block;margin:4px;text-align:center"><img alt="row {r["row"]}" '
                      f'width="48" src="data:image/png;base64,{thumbs[r["row"]]}"><br>row {r["row"]}</span>'
                      for r in top if r["row"] in thumbs)  # thumbnails, not figures: the report's figures are charts
    html = f"<div>{gallery}</div>" + table(headers, rows)
    note = (f"<p>The {info['n']} forget images ranked by the <b>{esc(attack)}</b> attack's per-image score under "
            "the unlearned model (rank 1: the most exposed); the same image's rank under the original and gold models "
            f"shows whether unlearning or the image itself keeps it exposed. Top {min(TOP, len(info['top']))} shown.</p>")
    return note + html + costs_table(res)


def costs_table(res: dict) -> str:
    costs = res.get("attack_costs") or {}
    if not costs:
        return ""
    rows = [(name, c.get("models"), c.get("cached"), c.get("reference_seconds", c.get("seconds"))) for name, c in costs.items()]
    return "<h3>Attack compute</h3>" + table(("attack", "models trained or loaded", "from cache", "seconds"), rows)


def epsilon_section(res: dict) -> str:
    """F, the final score and the per-example ε histogram of the NeurIPS'23 ε-score, with its resolution limit."""
    eps = res.get("epsilon")
    if not eps:
        return ""
    from matplotlib.figure import Figure

    values = [v for v in eps["epsilons"] if v is not None]
    fig = Figure(figsize=(6.4, 3.2))
    ax = fig.add_subplot(1, 1, 1)
    ax.hist(values, bins=30, color="#4c78a8")
    ax.axvline(eps["max_epsilon"], linestyle=":", color="#444444")
    ax.set_xlabel("ε per forget example (0 = indistinguishable from retraining)")
    ax.set_ylabel("forget examples")
    fig.tight_layout()
    lo, hi = eps["forget_quality_ci"]
    facts = table(("forgetting quality F", "F 95% interval (models resampled)", "final score", "models per side",
                   "largest resolvable ε"), [(eps["forget_quality"], f"[{lo:.3f}, {hi:.3f}]", eps["score"],
                                              eps["n_models"], eps["max_epsilon"])])
    return facts + f'<div class="charts">{_svg(fig)}</div><p class="muted">{esc(eps["note"])}</p>'
