"""A tqdm progress bar per pipeline stage, for the command line; it shows the declared live keys
(core/metrics/*.py and run_keys.py: the numbers worth watching each epoch)."""

from __future__ import annotations

import sys

from tqdm.auto import tqdm

from core.metric_words import declared


def shown_keys() -> frozenset[str]:
    """The keys a bar's postfix shows: every key declared ``live``."""
    return frozenset(k.name for k in declared() if k.live)


class TqdmProgress:
    """One bar per stage; the shown metrics go in the bar's postfix."""

    def __init__(self, file=sys.stderr) -> None:
        self.bar: tqdm | None = None
        self.stage = ""
        self.file = file
        self.shown = shown_keys()

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        if stage != self.stage or self.bar is None or self.bar.total != total:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=f"{stage:>12}", file=self.file, leave=True, dynamic_ncols=True)
        self.bar.n = step
        shown = {k: f"{v:.3f}" for k, v in metrics.items() if k in self.shown and v is not None}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
