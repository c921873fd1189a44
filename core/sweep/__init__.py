"""Sweeps: a base scenario times axes of values, each trial a Ray task and a normal run in the store.

Nothing here imports Ray at import time; :mod:`core.cluster` starts or joins it when a sweep runs."""

from core.sweep.errors import SweepError
from core.sweep.spec import SweepSpec, load_sweep, sweep_from_dict
from core.sweep.trials import Trial, expand

__all__ = ["SweepError", "SweepSpec", "Trial", "expand", "load_sweep", "sweep_from_dict"]
