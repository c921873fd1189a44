"""``unlearn bench SUITE --seeds N --parallel P``: a suite's seeds as Ray tasks, through the sweep's cluster helper.

A suite whose per-seed work is a function of the seed returning that seed's rows marks itself
:func:`seeds_in_parallel` beside its registration and maps its seeds with :func:`map_seeds`; the
others refuse ``--parallel`` (:func:`check_parallel` names the suites that take it). Ray is started
locally, or joined with ``--address``/``RAY_ADDRESS``, by :func:`core.cluster.ray_session`;
results come back in seed order, so the summary is the serial path's. Each task runs with
``threads`` torch threads (one by default): with ``--option threads=1`` on the serial path too, the
two give identical numbers for the same seeds.
"""

from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")

SEED_PARALLEL: set[str] = set()  # suites whose seeds may run as Ray tasks


def seeds_in_parallel(name: str) -> Callable[[T], T]:
    """Decorator beside a suite's registration: its seeds may run in parallel."""

    def mark(obj: T) -> T:
        SEED_PARALLEL.add(name)
        return obj

    return mark


def check_parallel(suite: str, parallel: int) -> None:
    """Refuse ``--parallel`` below 1, or above 1 for a suite that does not map its seeds."""
    if parallel < 1:
        raise ValueError("--parallel: give the number of seeds to run at once, 1 or more")
    if parallel > 1 and suite not in SEED_PARALLEL:
        raise ValueError(f"bench {suite!r} runs its seeds in one process and does not take --parallel; suites "
                         f"that do: {', '.join(sorted(SEED_PARALLEL)) or '(none)'}; drop --parallel for {suite!r}")


def _with_threads(fn: Callable[[int], T], seed: int, threads: int) -> T:
    import torch

    torch.set_num_threads(max(1, threads))
    return fn(seed)


def map_seeds(fn: Callable[[int], T], seeds: list[int], parallel: int = 1, address: str | None = None,
              threads: int = 1) -> list[T]:
    """``[fn(s) for s in seeds]``, serially when ``parallel`` is 1, else as Ray tasks (``parallel`` at a
    time on a local Ray; a cluster schedules them on its free CPUs). ``fn`` must pickle (cloudpickle)."""
    if parallel <= 1 or len(seeds) <= 1:
        return [fn(s) for s in seeds]
    from core.cluster import ray_session

    with ray_session(address, num_cpus=min(parallel, len(seeds)) * threads) as ray:
        task = ray.remote(_with_threads).options(num_cpus=threads, max_retries=0, name="bench seed")
        return ray.get([task.remote(fn, s, threads) for s in seeds])
