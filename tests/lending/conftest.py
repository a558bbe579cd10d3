"""Fixtures shared by the lending tests."""

import pytest

from tests.lending_factories import StructureFactory


@pytest.fixture
def structure(social_worker):
    """The structure (a CCAS, say) whose member is the `social_worker`."""
    return StructureFactory(members=[social_worker])
