import pytest

from marketplace.matches import runs
from marketplace.models import RunTrigger
from marketplace.models.user import Role
from tests.factories import ListingFactory, OrderFactory, UserFactory


@pytest.fixture
def producer(app):
    return UserFactory(role=Role.PRODUCER)


@pytest.fixture
def distributor(app):
    return UserFactory(role=Role.DISTRIBUTOR)


@pytest.fixture
def admin(app):
    return UserFactory(role=Role.ADMIN)


@pytest.fixture
def rice(producer, distributor):
    """2000 kg of rice on offer and an order for 1000 kg that it fits."""
    return ListingFactory(producer=producer), OrderFactory(distributor=distributor)


@pytest.fixture
def run_now():
    def run(category=None):
        return runs.run_inline(RunTrigger.CLI, category=category)
    return run
