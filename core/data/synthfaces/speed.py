"""How many synthetic faces per second one CPU core renders (the spec asks for >= 2,000 at 64 px).

``python -m core.data.synthfaces.speed [N] [SIZE]`` pins itself to one core and prints the figure.
The timing covers everything ``load`` does: sampling, drawing, colouring, masks and the table.
"""

from __future__ import annotations

import os
import sys
import time

import torch

from core.data.synthfaces.source import SynthFaces


def measure(n: int = 2000, size: int = 64) -> float:
    """Images per second for one fresh load of ``n`` images (20 per identity) at ``size`` px."""
    per = 20
    options = SynthFaces.Options(n_identities=max(1, n // per), images_per_identity=per, size=size)
    start = time.perf_counter()
    table = SynthFaces().load(options)
    return len(table) / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n, size = (int(args[0]) if args else 2000), (int(args[1]) if len(args) > 1 else 64)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    torch.set_num_threads(1)
    print(f"synthfaces: {measure(n, size):,.0f} images/s at {size} px on one CPU core ({n} images, masks included)")


if __name__ == "__main__":
    main()
