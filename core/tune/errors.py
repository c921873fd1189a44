"""The error a tune that cannot start raises, in its own module so the study and its validation seeds
(:mod:`core.tune.study`, :mod:`core.tune.validation`) both raise it without importing each other."""


class TuneError(ValueError):
    """A tune that cannot start (a method without a search space, too few trials); the message says what to do."""
