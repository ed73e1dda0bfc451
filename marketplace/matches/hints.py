"""Hints on one's own order or listing: why an order is (mostly) unmatched,
and what change would open a listing to more orders. Each hint runs the
engine's explanation over the one category of the row, read with the same
loaders a run uses, so a page pays for at most one category."""
from __future__ import annotations

import logging

from marketplace.core.clock import local_today
from marketplace.matches.loading import excluded_pairs, load_demands, load_supplies, point
from marketplace.matching import Demand, Supply
from marketplace.matching.explain import explain_unmatched, suggest_listing_changes
from marketplace.models import DemandOrder, Listing, ListingStatus, OrderStatus
from marketplace.web.phrases import explanation_in_words, suggestion_in_words

log = logging.getLogger(__name__)
# Below this share promised, an order counts as "little matched" and gets a hint.
LITTLE_MATCHED = 0.5
_HINTED_ORDERS = (OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED)


def wants_order_hint(order: DemandOrder) -> bool:
    return (order.status in _HINTED_ORDERS and order.quantity > 0
            and order.committed_quantity / order.quantity < LITTLE_MATCHED)


def order_hints(order: DemandOrder) -> list[str]:
    """Why the order's category has nothing (more) for it, in the reader's language."""
    if not wants_order_hint(order):
        return []
    today = local_today()
    lat, lon = point(order.delivery_province_code)
    demand = Demand(id=order.id, category=order.category, unit=order.unit, quantity=order.open_quantity,
                    max_unit_price=order.max_unit_price, lat=lat, lon=lon, needed_by=order.needed_by,
                    min_stars=order.min_stars, required_certifications=frozenset(order.required_codes),
                    allow_split=order.allow_split)
    try:
        supplies, _sides = load_supplies(order.category, today)
        explanation = explain_unmatched(demand, supplies, now=today,
                                        excluded_pairs=excluded_pairs(order.category))
        return explanation_in_words(explanation)
    except Exception:  # a hint must never take the order page down with it
        log.exception("could not explain order %s", order.id)
        return []


def listing_hints(listing: Listing) -> list[str]:
    """Changes to the listing that would open it to more open orders."""
    if listing.status != ListingStatus.ACTIVE or listing.available_quantity <= 0:
        return []
    today = local_today()
    lat, lon = point(listing.province_code)
    supply = Supply(id=listing.id, category=listing.category, unit=listing.unit,
                    quantity=listing.available_quantity, unit_price=listing.unit_price, lat=lat, lon=lon,
                    stars=listing.stars, certifications=frozenset(c.code for c in listing.valid_certifications(today)),
                    min_order_quantity=listing.min_order_quantity, available_from=listing.available_from,
                    available_until=listing.available_until)
    try:
        demands, _sides = load_demands(listing.category, today)
        return [suggestion_in_words(s, listing.unit) for s in suggest_listing_changes(supply, demands, now=today)]
    except Exception:  # a hint must never take the listing page down with it
        log.exception("could not suggest changes to listing %s", listing.id)
        return []
