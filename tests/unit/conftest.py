"""Fixtures of every unit test: the three roles, rice on offer with an order it
fits, and a match run in this process."""
import pytest

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.matches import runs
from marketplace.models import MatchStatus, RunTrigger
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import proposal


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


@pytest.fixture
def verified(producer):
    producer.profile.verified_at = utcnow()
    producer.profile.verified_certificate_no = "OCOP-CT-001"
    db.session.commit()
    return producer


@pytest.fixture
def unverified(app):
    return UserFactory(role=Role.PRODUCER)


@pytest.fixture
def queue_world(verified, unverified, distributor):
    """Three proposals the moderation filters tell apart, and an approved match none of them shows."""
    rice = proposal(verified, distributor)                                              # score 0.61
    honey = proposal(unverified, distributor, "food.honey", "ha-noi", "da-nang", score=0.9)
    tea = proposal(verified, distributor, "beverages.tea", "can-tho", "ha-noi", score=0.3)
    proposal(verified, distributor, status=MatchStatus.APPROVED)
    return rice, honey, tea
