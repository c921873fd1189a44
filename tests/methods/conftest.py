"""Session-wide planted data for the method tests: the reference models are trained once."""

from __future__ import annotations

import pytest

from tests.methods.toy_identity import planted_identity_prepared


@pytest.fixture(scope="session")
def planted_identity():
    """The marked-people case of ``planted_identity_prepared`` (original and gold trained, seconds)."""
    return planted_identity_prepared()
