"""Matches written straight to the database, with the stock they reserve,
for tests that are about the pages and the API rather than the engine."""
from __future__ import annotations

from datetime import timedelta

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, Match, MatchStatus
from tests.support.factories import ListingFactory, OrderFactory

BREAKDOWN = {"price_saving_pct": 8.57, "distance_km": 85.2, "stars": 4, "min_stars": 3, "ready_in_days": 0,
             "days_of_slack": 12, "price_part": 0.3, "distance_part": 0.8, "stars_part": 0.2,
             "availability_part": 1.0, "score": 0.61}


def make_match(listing: Listing, order: DemandOrder, status: MatchStatus = MatchStatus.APPROVED,
               quantity: int = 100, **values) -> Match:
    """A match in ``status`` that holds ``quantity`` on both sides, as a run
    and the lifecycle would have left it."""
    now = utcnow()
    values.setdefault("expires_at", now + timedelta(hours=72))   # runs give proposals a deadline too
    if status != MatchStatus.PROPOSED:
        values.setdefault("approved_at", now)
    if status == MatchStatus.CONFIRMED:
        values.setdefault("producer_accepted_at", now)
        values.setdefault("distributor_accepted_at", now)
        values.setdefault("confirmed_at", now)
        values["expires_at"] = None
    match = Match(listing_id=listing.id, order_id=order.id, producer_id=listing.producer_id,
                  distributor_id=order.distributor_id, category=listing.category, unit=listing.unit,
                  quantity=quantity, unit_price=listing.unit_price, score=BREAKDOWN["score"],
                  breakdown=dict(BREAKDOWN), status=status, listing_revision=listing.revision,
                  order_revision=order.revision, **values)
    listing.reserved_quantity += quantity
    order.reserved_quantity += quantity
    db.session.add(match)
    db.session.commit()
    return match


def proposal(producer, distributor, category="food.rice", province="can-tho", delivery="ho-chi-minh",
             score=None, **values):
    listing = ListingFactory(producer=producer, category=category, province_code=province)
    order = OrderFactory(distributor=distributor, category=category, delivery_province_code=delivery)
    match = make_match(listing, order, status=values.pop("status", MatchStatus.PROPOSED), **values)
    if score is not None:
        match.score = score
        db.session.commit()
    return match
