"""The error a sweep file's problems raise, in its own module so the spec reader and the trial expander
(:mod:`core.sweep.spec`, :mod:`core.sweep.trials`) both raise it without importing each other."""


class SweepError(ValueError):
    """An invalid sweep file; the message names the key (or trial) and what is allowed."""
