"""The admin area works on the same small world as the match tests: a
producer, a distributor, an admin, rice on offer and an order it fits."""
import pytest

from tests.unit.matches.conftest import admin, distributor, producer, rice, run_now  # noqa: F401


@pytest.fixture
def as_admin(auth, client, admin):  # noqa: F811 (admin is the imported fixture)
    """The test client, signed in as the admin."""
    auth.login(admin.email)
    return client
