"""Pattern unlearning without annotations: the identifier (filter groups, eigengap), its explorer and figures, and the method."""
