"""Direct offers: a producer offers to supply an order, a distributor asks
for a listing; either holds stock and waits for moderation like a run's proposal."""
import pytest
from flask_babel import force_locale

from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import direct
from marketplace.models import ApprovalPolicy, DemandOrder, Listing, MatchSource, MatchStatus
from tests.support.factories import ListingFactory, OrderFactory


@pytest.fixture(autouse=True)
def english(app):
    with app.test_request_context(), force_locale("en"):
        yield


def held(listing, order):
    db.session.expire_all()
    return db.session.get(Listing, listing.id).reserved_quantity, db.session.get(DemandOrder, order.id).reserved_quantity


def test_a_producer_offers_to_supply_an_order_and_it_waits_for_moderation(rice, producer):
    listing, order = rice
    match = direct.offer_to_supply(producer, order.id, listing.id, 400, 33000)
    assert (match.source, match.status, match.quantity, match.unit_price) == (
        MatchSource.OFFER, MatchStatus.PROPOSED, 400, 33000)
    assert match.run_id is None and 0 < match.score <= 1 and match.breakdown["distance_km"] > 0
    assert held(listing, order) == (400, 400)
    with pytest.raises(WrongState, match="already have a match"):
        direct.offer_to_supply(producer, order.id, listing.id, 100, 33000)


def test_a_distributor_asks_for_a_listing_at_its_price_and_the_policy_may_approve_it(rice, distributor):
    listing, order = rice
    db.session.add(ApprovalPolicy(id=1, enabled=True, min_score=0.0, require_verified_producer=False,
                                  require_good_standing=False))
    db.session.commit()
    match = direct.ask_for_listing(distributor, listing.id, order.id, 1000)
    assert (match.status, match.unit_price, match.approved_by_policy) == (MatchStatus.APPROVED, 32000, True)


def test_refusals_name_the_field(rice, producer, distributor):
    listing, order = rice
    with pytest.raises(NotAllowed):
        direct.offer_to_supply(distributor, order.id, listing.id, 100, 30000)
    with pytest.raises(InvalidInput) as error:
        direct.offer_to_supply(producer, order.id, listing.id, 1500, 30000)
    assert "only 1" in error.value.fields["quantity"]              # the order needs 1,000
    with pytest.raises(InvalidInput) as error:
        direct.offer_to_supply(producer, order.id, listing.id, 500, 40000)
    assert "note" in error.value.fields                             # above the buyer's maximum, unexplained
    assert direct.offer_to_supply(producer, order.id, listing.id, 500, 40000, note="Hàng loại 1").unit_price == 40000
    strict = OrderFactory(distributor=distributor, min_stars=5)
    with pytest.raises(InvalidInput) as error:
        direct.ask_for_listing(distributor, listing.id, strict.id, 200)
    assert error.value.fields["listing_id"]                         # the engine's reason, in words
    others = ListingFactory()
    with pytest.raises(InvalidInput) as error:
        direct.offer_to_supply(producer, order.id, others.id, 100, 30000)
    assert set(error.value.fields) == {"listing_id"}
    assert held(listing, order) == (500, 500)
