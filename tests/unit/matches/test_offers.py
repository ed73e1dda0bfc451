"""Counter-offers: every transition and every refusal, with the stock each moves."""
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.core.audit import AuditLog
from marketplace.core.clock import local_today
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import lifecycle, offers
from marketplace.matches.offers import OfferTerms
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Notification, OfferStatus
from marketplace.models.user import Role
from tests.support.factories import UserFactory
from tests.support.match_data import make_match


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def held(listing, order):
    return fresh(Listing, listing.id).reserved_quantity, fresh(DemandOrder, order.id).reserved_quantity


@pytest.fixture
def deal(rice):
    listing, order = rice
    return make_match(listing, order, quantity=300)


def test_a_counter_offer_accepted_becomes_the_terms_and_only_the_accepting_party_has_accepted(
        deal, producer, distributor, rice):
    listing, order = rice
    lifecycle.accept(fresh(Match, deal.id), producer)
    by = local_today() + timedelta(days=10)
    offer = offers.make_offer(fresh(Match, deal.id), distributor, OfferTerms(500, 30000, by, "Giá tốt hơn"))
    assert (offer.round, offer.by_party, offer.status) == (1, "distributor", OfferStatus.OPEN)
    assert held(listing, order) == (300, 300)          # nothing moves before an answer

    match = offers.accept_offer(fresh(Match, deal.id), offer, producer)
    assert (match.quantity, match.unit_price, match.deliver_by) == (500, 30000, by)
    assert match.proposed_terms["quantity"] == 300 and match.proposed_terms["unit_price"] == listing.unit_price
    assert match.negotiated and match.status == MatchStatus.APPROVED
    assert match.producer_accepted_at is not None and match.distributor_accepted_at is None
    assert held(listing, order) == (500, 500)
    assert fresh(type(offer), offer.id).status == OfferStatus.ACCEPTED

    confirmed = lifecycle.accept(fresh(Match, deal.id), distributor)
    assert confirmed.status == MatchStatus.CONFIRMED and confirmed.quantity == 500
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert {"match.offer_made", "match.offer_accepted"} <= set(actions)
    told = db.session.scalars(select(Notification.kind).where(Notification.user_id == producer.id)).all()
    assert "match.offer_made" in told


def test_a_smaller_quantity_releases_the_difference(deal, producer, distributor, rice):
    listing, order = rice
    offer = offers.make_offer(fresh(Match, deal.id), producer, OfferTerms(200, 33000))
    offers.accept_offer(fresh(Match, deal.id), offer, distributor)
    assert held(listing, order) == (200, 200)


def test_a_counter_closes_the_open_offer_and_rounds_stop_at_six(deal, producer, distributor):
    first = offers.make_offer(fresh(Match, deal.id), distributor, OfferTerms(300, 30000))
    second = offers.make_offer(fresh(Match, deal.id), producer, OfferTerms(300, 31500))
    assert fresh(type(first), first.id).status == OfferStatus.COUNTERED and second.round == 2
    with pytest.raises(WrongState, match="still waits"):
        offers.make_offer(fresh(Match, deal.id), producer, OfferTerms(300, 31000))
    for round_, party in zip(range(3, 7), [distributor, producer] * 2, strict=True):
        assert offers.make_offer(fresh(Match, deal.id), party, OfferTerms(300, 30000 + round_)).round == round_
    with pytest.raises(WrongState, match="6 rounds"):
        offers.make_offer(fresh(Match, deal.id), distributor, OfferTerms(300, 30000))


def test_more_than_the_listing_has_is_refused_and_changes_nothing(deal, distributor, producer, rice):
    listing, order = rice
    with pytest.raises(WrongState, match="not enough"):
        offers.make_offer(fresh(Match, deal.id), distributor, OfferTerms(2500, 30000))
    # Offered when there was room, accepted after the stock went elsewhere.
    offer = offers.make_offer(fresh(Match, deal.id), distributor, OfferTerms(1000, 30000))
    other = make_match(fresh(Listing, listing.id), make_order_for(distributor), quantity=1500)
    with pytest.raises(WrongState, match="no longer has 700"):
        offers.accept_offer(fresh(Match, deal.id), offer, producer)
    assert fresh(Match, deal.id).quantity == 300 and fresh(type(offer), offer.id).status == OfferStatus.OPEN
    assert fresh(Listing, listing.id).reserved_quantity == 300 + other.quantity


def make_order_for(distributor):
    from tests.support.factories import OrderFactory
    return OrderFactory(distributor=distributor, quantity=5000)


def test_refusals(rice, deal, producer, distributor):
    listing, order = rice
    stranger = UserFactory(role=Role.DISTRIBUTOR)
    with pytest.raises(NotAllowed):
        offers.make_offer(fresh(Match, deal.id), stranger, OfferTerms(300, 30000))
    proposed = make_match(listing, make_order_for(distributor), status=MatchStatus.PROPOSED)
    with pytest.raises(WrongState, match="moderation"):
        offers.make_offer(fresh(Match, proposed.id), producer, OfferTerms(100, 30000))
    with pytest.raises(InvalidInput) as error:
        offers.make_offer(fresh(Match, deal.id), producer, OfferTerms(50, 0, local_today() - timedelta(days=1)))
    assert set(error.value.fields) == {"quantity", "unit_price", "deliver_by"}
    offer = offers.make_offer(fresh(Match, deal.id), producer, OfferTerms(300, 33000))
    with pytest.raises(NotAllowed, match="other party"):
        offers.accept_offer(fresh(Match, deal.id), offer, producer)
    offers.decline_offer(fresh(Match, deal.id), offer, distributor)
    with pytest.raises(WrongState, match="already answered"):
        offers.accept_offer(fresh(Match, deal.id), fresh(type(offer), offer.id), distributor)


def test_an_open_offer_ends_with_its_match_and_a_late_answer_is_refused(deal, producer, distributor, rice):
    listing, order = rice
    offer = offers.make_offer(fresh(Match, deal.id), producer, OfferTerms(600, 33000))
    stale_view = fresh(Match, deal.id)
    lifecycle.decline(fresh(Match, deal.id), distributor, "Không cần nữa")
    assert fresh(type(offer), offer.id).status == OfferStatus.CLOSED
    with pytest.raises(WrongState):
        offers.accept_offer(stale_view, fresh(type(offer), offer.id), distributor)
    assert held(listing, order) == (0, 0)
