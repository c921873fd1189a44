"""Pattern unlearning without annotations: the identifier (filter groups, eigengap), its explorer and figures, and the method."""

import core.methods.pattern.audit  # noqa: F401,E402  (registers its audit section)
