"""How many synthetic faces per second one CPU core renders (the spec asks for >= 2,000 at 64 px).

``python -m core.data.synthfaces.speed [N] [SIZE]`` pins itself to one core and prints the figure
(CPU time, so a busy machine does not understate it, and wall time).
The timing covers everything ``load`` does: sampling, drawing, colouring, masks and the table.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Callable

import torch

from core.data.synthfaces.source import SynthFaces


def measure(n: int = 2000, size: int = 64, clock: Callable[[], float] = time.process_time) -> float:
    """Images per second for one fresh load of ``n`` images (20 per identity) at ``size`` px.

    The default clock is this process's CPU time, so other programs sharing the core do not
    distort the figure; pass ``time.perf_counter`` for wall time.
    """
    per = 20
    options = SynthFaces.Options(n_identities=max(1, n // per), images_per_identity=per, size=size)
    start = clock()
    table = SynthFaces().load(options)
    return len(table) / (clock() - start)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n, size = (int(args[0]) if args else 2000), (int(args[1]) if len(args) > 1 else 64)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    torch.set_num_threads(1)
    measure(100, size)  # warm-up: imports, Pillow and numpy set-up are paid once per process, not per image
    cpu, wall = measure(n, size), measure(n, size, time.perf_counter)
    print(f"synthfaces at {size} px, {n} images, masks included, one CPU core: "
          f"{cpu:,.0f} images/s of CPU time ({wall:,.0f} images/s wall time)")


if __name__ == "__main__":
    main()
