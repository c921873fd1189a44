"""The benchmark interface: a suite is a function of ``BenchArgs`` returning a results document.

``run_bench`` writes the JSON where asked and a markdown table (and figures, when the suite makes
any) beside it, and prints the markdown. Performance goals live here, not in timed tests. Settings a
suite chooses are chosen on validation seeds and reported on others (:mod:`core.bench.validation`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from core.registry import Registry


@dataclass
class BenchArgs:
    seeds: int = 3
    validation_seeds: int = 1  # seeds (1000 + i) that choose settings; the table reports on 0 .. seeds-1
    dataset: str | None = None
    options: dict = field(default_factory=dict)
    out_dir: Path = Path(".")
    parallel: int = 1  # seeds at once as Ray tasks, for suites that allow it (core.bench.parallel)
    address: str | None = None  # the Ray cluster to join for --parallel (else local, or RAY_ADDRESS)


@dataclass
class BenchResult:
    """What a suite returns: the JSON document, its markdown tables, and optional plotly figures."""

    doc: dict
    markdown: str
    figures: dict = field(default_factory=dict)


BENCHES: Registry[Callable[[BenchArgs], BenchResult]] = Registry("benchmark")


def run_bench(name: str, seeds: int = 3, json_path: str | None = None, dataset: str | None = None,
              options: dict | None = None, validation_seeds: int = 1, parallel: int = 1,
              address: str | None = None) -> int:
    """Run a registered suite and write its outputs; returns a process exit code."""
    from core.bench.parallel import check_parallel

    suite = BENCHES.get(name)
    check_parallel(name, parallel)
    out = Path(json_path) if json_path else Path(f"bench-{name}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    result = suite(BenchArgs(seeds=seeds, validation_seeds=validation_seeds, dataset=dataset, options=options or {},
                             out_dir=out.parent, parallel=parallel, address=address))
    out.write_text(json.dumps(result.doc, indent=2, default=float))
    md = out.with_suffix(".md")
    md.write_text(result.markdown)
    for fig_name, fig in result.figures.items():
        fig.write_html(out.with_name(f"{out.stem}-{fig_name}.html"), include_plotlyjs=True)
    print(result.markdown)
    print(f"wrote {out} and {md}")
    return 0
