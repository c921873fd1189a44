"""Representation detachment (attribute unlearning): the method and the tools its paper measures it with.

``method``: the registered ``detachment`` method. ``training``: one epoch in end-to-end or
local-parallel mode. ``auxiliary``/``losses``: the auxiliary network and its loss terms.
``resources``: seconds and peak memory of an epoch. ``compare``: both modes side by side (Table 2).
``sweep``: AUM over a λ2 × λ3 grid (Figure 6).
"""

import core.methods.detachment.method  # noqa: F401
import core.methods.detachment.audit  # noqa: F401,E402  (registers its audit sections)
