"""Fixtures the API tests share: a coordinator of the default site and their headers."""

import pytest

from tests.factories import auth, make_staff, token_for


@pytest.fixture
def coordinator(site):
    """A coordinator of the default site, without a phone (modules that text one say so)."""
    return make_staff("coordinator", sites=[site])


@pytest.fixture
def headers(coordinator):
    return auth(token_for(coordinator))
