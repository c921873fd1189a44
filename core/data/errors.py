"""DataError: bad input data; the message names the file or value and what to do."""


class DataError(ValueError):
    """Bad input data: the message names the file or value and what to do."""
