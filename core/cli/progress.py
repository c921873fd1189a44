"""A tqdm progress bar per pipeline stage, for the command line."""

from __future__ import annotations

import sys

from tqdm.auto import tqdm

SHOWN = ("loss", "test_acc", "forget_acc", "mia_acc", "nomus", "fidelity", "efficacy", "aum")


class TqdmProgress:
    """One bar per stage; the shown metrics go in the bar's postfix."""

    def __init__(self, file=sys.stderr) -> None:
        self.bar: tqdm | None = None
        self.stage = ""
        self.file = file

    def __call__(self, step: int, total: int, *, stage: str = "", **metrics: float) -> None:
        if stage != self.stage or self.bar is None or self.bar.total != total:
            self.close()
            self.stage = stage
            self.bar = tqdm(total=total, desc=f"{stage:>12}", file=self.file, leave=True, dynamic_ncols=True)
        self.bar.n = step
        shown = {k: f"{v:.3f}" for k, v in metrics.items() if k in SHOWN and v is not None}
        self.bar.set_postfix(shown, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
