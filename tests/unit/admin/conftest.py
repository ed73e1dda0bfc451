"""The admin tests sign in as the admin of tests/unit/conftest.py."""
import pytest


@pytest.fixture
def as_admin(auth, client, admin):
    """The test client, signed in as the admin."""
    auth.login(admin.email)
    return client
