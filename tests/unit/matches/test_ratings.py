"""Ratings: once per party, within the window after delivery, changeable for a day, then fixed."""
from datetime import timedelta

import pytest
from flask_babel import force_locale

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import lifecycle, ratings
from marketplace.models import Match, MatchStatus, Rating
from marketplace.models.user import Role
from tests.support.factories import UserFactory
from tests.support.match_data import make_match


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


@pytest.fixture
def delivered(rice, distributor):
    match = make_match(*rice, status=MatchStatus.CONFIRMED, quantity=300)
    lifecycle.fulfil(db.session.get(Match, match.id), distributor, 250)
    return db.session.get(Match, match.id)


def days_since_delivery(match: Match, days: float) -> None:
    match.fulfilled_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_each_party_rates_the_other_once(delivered, producer, distributor):
    by_buyer = ratings.rate(delivered, distributor, 5, "  Gạo ngon  ")
    by_seller = ratings.rate(delivered, producer, 4, "")
    assert (by_buyer.subject_id, by_buyer.comment) == (producer.id, "Gạo ngon")
    assert (by_seller.subject_id, by_seller.comment) == (distributor.id, None)
    assert db.session.query(Rating).count() == 2


def test_only_a_fulfilled_deal_is_rated(rice, distributor):
    confirmed = make_match(*rice, status=MatchStatus.CONFIRMED)
    with pytest.raises(WrongState, match="once it is fulfilled"):
        ratings.rate(confirmed, distributor, 5, None)


def test_a_stranger_does_not_rate(delivered):
    with pytest.raises(NotAllowed):
        ratings.rate(delivered, UserFactory(role=Role.DISTRIBUTOR), 1, None)


@pytest.mark.parametrize("stars", [None, 0, 6])
def test_stars_are_one_to_five(delivered, distributor, stars):
    with pytest.raises(InvalidInput) as refused:
        ratings.rate(delivered, distributor, stars, None)
    assert "stars" in refused.value.fields
    assert db.session.query(Rating).count() == 0


def test_a_comment_of_a_thousand_characters_is_the_most(delivered, distributor):
    with pytest.raises(InvalidInput) as refused:
        ratings.rate(delivered, distributor, 3, "x" * 1001)
    assert "comment" in refused.value.fields
    assert ratings.rate(delivered, distributor, 3, "x" * 1000).comment == "x" * 1000


def test_the_window_closes_thirty_days_after_delivery(delivered, distributor):
    days_since_delivery(delivered, 29.9)
    assert ratings.may_rate(delivered, distributor)
    days_since_delivery(delivered, 30.1)
    assert not ratings.may_rate(delivered, distributor)
    with pytest.raises(WrongState, match="30 days"):
        ratings.rate(delivered, distributor, 5, None)


def test_a_rating_changes_within_a_day_and_is_fixed_after(delivered, distributor):
    first = ratings.rate(delivered, distributor, 2, "Chậm")
    changed = ratings.rate(delivered, distributor, 4, "Chậm nhưng tốt")
    assert (changed.id, changed.stars, changed.comment) == (first.id, 4, "Chậm nhưng tốt")
    changed.created_at = utcnow() - timedelta(hours=24, minutes=1)
    db.session.commit()
    with pytest.raises(WrongState, match="24 hours"):
        ratings.rate(delivered, distributor, 5, None)
    db.session.expire_all()
    assert db.session.get(Rating, first.id).stars == 4


def test_a_hidden_review_needs_a_reason_and_is_hidden_once(delivered, distributor, admin):
    review = ratings.rate(delivered, distributor, 1, "Lừa đảo")
    with pytest.raises(InvalidInput):
        ratings.hide_rating(review, admin, "  ")
    ratings.hide_rating(review, admin, "Lời lẽ xúc phạm")
    assert ratings.reviews_of(delivered.producer_id) == []
    with pytest.raises(WrongState):
        ratings.hide_rating(review, admin, "Lần nữa")
