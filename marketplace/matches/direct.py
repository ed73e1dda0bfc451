"""Direct offers: a producer offers to supply an open order from one of its
listings, or a distributor asks for a listing against one of its orders.

Either becomes a match with ``source = offer`` that holds stock at once and
goes through moderation and the auto-approval policy like a run's proposal.
The pair must pass the engine's own rules (except price, which the producer
names), and its score and breakdown come from the engine's scoring.
"""
from __future__ import annotations

import logging
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.core.clock import local_today, utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed, WrongState
from marketplace.matches import auto_approval, stock
from marketplace.matches.lifecycle import event_details, proposal_ttl
from marketplace.matches.loading import point
from marketplace.matches.offers import NOTE_MAX
from marketplace.matches.reputation import reliabilities
from marketplace.matching import Demand, Supply, score_breakdown
from marketplace.matching.explain import explain_unmatched
from marketplace.models import DemandOrder, Listing, ListingStatus, Match, MatchSource, MatchStatus, OrderStatus, User
from marketplace.models.user import Role, UserStatus
from marketplace.trade.checks import MAX_PRICE
from marketplace.web.phrases import explanation_in_words

log = logging.getLogger(__name__)
_OPEN_ORDER = (OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED)


def offer_to_supply(producer: User, order_id: int, listing_id: int | None, quantity: int | None,
                    unit_price: int | None, note: str | None = None) -> Match:
    """The producer's offer on an order it saw on the board."""
    if producer.role != Role.PRODUCER:
        raise NotAllowed(_("Only producers can offer to supply an order."))
    order = _open_order(order_id)
    listing = _own_listing(producer, listing_id)
    errors = FieldErrors()
    if unit_price is None or unit_price < 1:
        errors.add("unit_price", _("Enter a price in whole dong, greater than zero."))
    elif unit_price > MAX_PRICE:
        errors.add("unit_price", _("This price is too large."))
    elif unit_price > order.max_unit_price and not (note or "").strip():
        errors.add("note", _("Your price is above the buyer's highest price: say why in a note."))
    return _propose(producer, listing, order, quantity, unit_price, errors, (note or "").strip() or None)


def ask_for_listing(distributor: User, listing_id: int, order_id: int | None, quantity: int | None) -> Match:
    """The distributor's request for a listing it saw, at the listing's price."""
    if distributor.role != Role.DISTRIBUTOR:
        raise NotAllowed(_("Only distributors can ask for a listing."))
    listing = _active_listing(listing_id)
    order = _own_order(distributor, order_id)
    return _propose(distributor, listing, order, quantity, listing.unit_price, FieldErrors())


def _propose(actor: User, listing: Listing, order: DemandOrder, quantity: int | None, unit_price: int,
             errors: FieldErrors, note: str | None = None) -> Match:
    today = local_today()
    if note and len(note) > NOTE_MAX:
        errors.add("note", _("At most %(max)d characters.", max=NOTE_MAX))
    _check_quantity(errors, listing, order, quantity)
    if errors:
        raise InvalidInput(dict(errors))
    breakdown = _breakdown(listing, order, quantity, min(unit_price, order.max_unit_price), today)
    match = Match(listing_id=listing.id, order_id=order.id, producer_id=listing.producer_id,
                  distributor_id=order.distributor_id, category=listing.category, unit=listing.unit,
                  quantity=quantity, unit_price=unit_price, score=breakdown.score, breakdown=breakdown.to_dict(),
                  status=MatchStatus.PROPOSED, source=MatchSource.OFFER, listing_revision=listing.revision,
                  order_revision=order.revision, approved_by_policy=False, note=note, expires_at=utcnow() + proposal_ttl())
    if not stock.reserve(listing.id, order.id, quantity):
        db.session.rollback()
        raise WrongState(_("The listing or the order no longer has %(quantity)s free.", quantity=quantity))
    db.session.add(match)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise WrongState(_("These two already have a match in progress: answer it on its page.")) from None
    emit_event("match.proposed", target_type="match", target_id=match.id, actor=actor,
               **event_details(match, source=MatchSource.OFFER.value,
                               party="producer" if actor.role == Role.PRODUCER else "distributor"))
    db.session.commit()
    try:
        auto_approval.apply_policy(select(Match.id).where(Match.id == match.id))
    except Exception:  # the offer is stored; it waits for the moderators instead
        db.session.rollback()
        log.exception("Auto-approval failed for offer match %s", match.id)
    return db.session.get(Match, match.id, populate_existing=True)


def _check_quantity(errors: FieldErrors, listing: Listing, order: DemandOrder, quantity: int | None) -> None:
    if quantity is None or quantity <= 0:
        errors.add("quantity", _("Enter a whole number greater than zero."))
    elif quantity > listing.available_quantity:
        errors.add("quantity", _("The listing has only %(quantity)s free.", quantity=listing.available_quantity))
    elif quantity > order.open_quantity:
        errors.add("quantity", _("The order needs only %(quantity)s more.", quantity=order.open_quantity))
    elif quantity < listing.min_order_quantity:
        errors.add("quantity", _("The listing's minimum order is %(quantity)s.",
                                 quantity=listing.min_order_quantity))
    elif not order.allow_split and quantity != order.open_quantity:
        errors.add("quantity", _("This order is filled by one producer only: offer the whole %(quantity)s.",
                                 quantity=order.open_quantity))


def _breakdown(listing: Listing, order: DemandOrder, quantity: int, price: int, today: date):
    """The engine's verdict on the pair at ``price`` (at most the order's
    maximum, so only the other rules can refuse it)."""
    supply_lat, supply_lon = point(listing.province_code)
    supply = Supply(id=listing.id, category=listing.category, unit=listing.unit, quantity=quantity,
                    unit_price=price, lat=supply_lat, lon=supply_lon,
                    stars=listing.stars,
                    certifications=frozenset(c.code for c in listing.valid_certifications(today)),
                    min_order_quantity=listing.min_order_quantity, available_from=listing.available_from,
                    available_until=listing.available_until,
                    reliability=reliabilities([listing.producer_id])[listing.producer_id])
    lat, lon = point(order.delivery_province_code)
    demand = Demand(id=order.id, category=order.category, unit=order.unit, quantity=quantity,
                    max_unit_price=order.max_unit_price, lat=lat, lon=lon, needed_by=order.needed_by,
                    min_stars=order.min_stars, required_certifications=frozenset(order.required_codes),
                    allow_split=True)
    breakdown = score_breakdown(supply, demand, now=today)
    if breakdown is None:
        reasons = explanation_in_words(explain_unmatched(demand, [supply], now=today))
        raise InvalidInput({"listing_id": " ".join(reasons) or _("This listing does not meet the order's "
                                                                 "conditions.")})
    return breakdown


def _open_order(order_id: int) -> DemandOrder:
    order = db.session.get(DemandOrder, order_id, populate_existing=True)
    if order is None or order.status not in _OPEN_ORDER or not _active(order.distributor_id):
        raise WrongState(_("This order is no longer open."))
    return order


def _active_listing(listing_id: int) -> Listing:
    listing = db.session.get(Listing, listing_id, populate_existing=True)
    if listing is None or listing.status != ListingStatus.ACTIVE or not _active(listing.producer_id):
        raise WrongState(_("This listing is no longer on sale."))
    return listing


def _own_listing(producer: User, listing_id: int | None) -> Listing:
    listing = db.session.get(Listing, listing_id, populate_existing=True) if listing_id else None
    if listing is None or listing.producer_id != producer.id:
        raise InvalidInput({"listing_id": _("Choose one of your listings.")})
    if listing.status != ListingStatus.ACTIVE:
        raise InvalidInput({"listing_id": _("Only an active listing can supply an order.")})
    return listing


def _own_order(distributor: User, order_id: int | None) -> DemandOrder:
    order = db.session.get(DemandOrder, order_id, populate_existing=True) if order_id else None
    if order is None or order.distributor_id != distributor.id:
        raise InvalidInput({"order_id": _("Choose one of your orders.")})
    if order.status not in _OPEN_ORDER:
        raise InvalidInput({"order_id": _("Only an open order can ask for a listing.")})
    return order


def _active(user_id: int) -> bool:
    return db.session.scalar(select(User.status).where(User.id == user_id)) == UserStatus.ACTIVE


def listings_to_offer(producer: User, order: DemandOrder) -> list[Listing]:
    """The producer's active listings that could supply ``order`` (same category and unit)."""
    return list(db.session.scalars(select(Listing).where(
        Listing.producer_id == producer.id, Listing.status == ListingStatus.ACTIVE.value,
        Listing.category == order.category, Listing.unit == order.unit).order_by(Listing.title)))


def orders_to_request(distributor: User, listing: Listing) -> list[DemandOrder]:
    """The distributor's open orders that ``listing`` could serve (same category and unit)."""
    return list(db.session.scalars(select(DemandOrder).where(
        DemandOrder.distributor_id == distributor.id,
        DemandOrder.status.in_([s.value for s in _OPEN_ORDER]),
        DemandOrder.category == listing.category, DemandOrder.unit == listing.unit).order_by(DemandOrder.title)))
