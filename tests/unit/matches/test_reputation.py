"""The reliability the engine uses: a Bayesian average that starts a new
producer at neutral and never lets one review sink or lift anyone."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.matches import lifecycle
from marketplace.matches.reputation import NEUTRAL, PRIOR_WEIGHT, _reliability, reliabilities, reputation
from marketplace.models import Match, MatchStatus, Rating
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


def test_a_new_producer_starts_neutral():
    assert _reliability(0, 0, 0, 0, 0) == NEUTRAL


def test_one_bad_review_moves_a_new_producer_to_point_four_not_to_the_bottom():
    assert _reliability(0, 0, 0, 1, 1) == pytest.approx((PRIOR_WEIGHT * NEUTRAL + 0) / (PRIOR_WEIGHT + 1))
    assert _reliability(0, 0, 0, 1, 1) == 0.4


def test_one_five_star_review_does_not_lift_a_new_producer_to_the_top():
    assert _reliability(0, 0, 0, 1, 5) == 0.6


def test_fifty_deals_on_time_outweigh_the_prior():
    assert _reliability(50, 50, 0, 0, 0) > 0.96


def test_a_late_delivery_counts_half_and_a_cancellation_nothing():
    assert _reliability(1, 0, 0, 0, 0) == 0.5
    assert _reliability(0, 0, 1, 0, 0) == 0.4


@given(fulfilled=st.integers(0, 200), late=st.integers(0, 200), cancelled=st.integers(0, 200),
       stars=st.lists(st.integers(1, 5), max_size=100))
def test_reliability_stays_between_zero_and_one(fulfilled, late, cancelled, stars):
    on_time = max(fulfilled - late, 0)
    value = _reliability(fulfilled, on_time, cancelled, len(stars), sum(stars))
    assert 0 <= value <= 1


@given(fulfilled=st.integers(0, 50), cancelled=st.integers(0, 50))
def test_one_more_cancellation_never_raises_reliability(fulfilled, cancelled):
    assert _reliability(fulfilled, fulfilled, cancelled + 1, 0, 0) <= _reliability(fulfilled, fulfilled, cancelled, 0, 0)


def test_bulk_reliabilities_match_each_producers_reputation(db, distributor):
    steady, careless, newcomer = (UserFactory(role=Role.PRODUCER) for _ in range(3))
    for seller in (steady, steady, careless):
        match = make_match(ListingFactory(producer=seller), OrderFactory(distributor=distributor),
                           status=MatchStatus.CONFIRMED)
        if seller is steady:
            lifecycle.fulfil(db.session.get(Match, match.id), distributor)
        else:
            lifecycle.cancel(db.session.get(Match, match.id), careless, "Hết hàng")
    fulfilled = db.session.scalars(db.select(Match).where(Match.producer_id == steady.id)).first()
    db.session.add(Rating(match_id=fulfilled.id, author_id=distributor.id, subject_id=steady.id, stars=5,
                          created_at=fulfilled.fulfilled_at))
    db.session.commit()
    bulk = reliabilities([steady.id, careless.id, newcomer.id])
    assert bulk == {user.id: reputation(user.id, as_producer=True).reliability
                    for user in (steady, careless, newcomer)}
    assert bulk[steady.id] > bulk[newcomer.id] == NEUTRAL > bulk[careless.id]
    record = reputation(careless.id, as_producer=True)
    assert (record.cancel_rate, record.deals_fulfilled, record.on_time_rate) == (1.0, 0, None)
