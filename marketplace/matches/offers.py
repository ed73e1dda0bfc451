"""Counter-offers on an approved match (DESIGN.md, Offer): one party
proposes new quantity, price and delivery date; the other accepts, declines
or counters with an offer of its own.

Locks are taken in the lifecycle's order (match, then listing, then order):
every use case first moves the match row with a conditional UPDATE, so an
offer accepted while the match is declined, or two answers to one offer,
find each other out and only one goes through. A larger quantity is held
by the same conditional relative UPDATEs as a run (``stock.reserve``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from marketplace.core.clock import local_today, utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed, WrongState
from marketplace.matches import stock
from marketplace.matches.lifecycle import event_details, party_of
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Offer, OfferStatus, User
from marketplace.models.offer import MAX_ROUNDS
from marketplace.trade.checks import MAX_PRICE, MAX_QUANTITY

NOTE_MAX = 500


@dataclass(frozen=True)
class OfferTerms:
    quantity: int | None
    unit_price: int | None
    deliver_by: date | None = None
    note: str | None = None


def offers_of(match: Match) -> list[Offer]:
    """Every round, oldest first."""
    return list(db.session.scalars(select(Offer).where(Offer.match_id == match.id).order_by(Offer.round)))


def offer_on(match: Match, offer_id: int) -> Offer | None:
    """One offer of this match, or None (another match's offer looks missing)."""
    return db.session.scalar(select(Offer).where(Offer.id == offer_id, Offer.match_id == match.id))


def open_offer(match: Match) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.match_id == match.id, Offer.status == OfferStatus.OPEN))


def _party(match: Match, user: User) -> str:
    party = party_of(match, user)
    if party is None:
        raise NotAllowed(_("Only the two parties can negotiate this match."))
    return party


def _negotiable(match: Match) -> None:
    if match.status == MatchStatus.PROPOSED:
        raise WrongState(_("This proposal is still waiting for moderation."))
    if match.status != MatchStatus.APPROVED:
        raise WrongState(_("Terms can only be negotiated while the match waits for both answers."))


def _checked(match: Match, terms: OfferTerms, today: date) -> OfferTerms:
    errors = FieldErrors()
    if terms.quantity is None or terms.quantity <= 0:
        errors.add("quantity", _("Enter a whole number greater than zero."))
    elif terms.quantity > MAX_QUANTITY:
        errors.add("quantity", _("This quantity is too large."))
    elif terms.quantity < _listing(match).min_order_quantity:
        errors.add("quantity", _("The listing's minimum order is %(quantity)s.",
                                 quantity=_listing(match).min_order_quantity))
    if terms.unit_price is None or terms.unit_price < 1:
        errors.add("unit_price", _("Enter a price in whole dong, greater than zero."))
    elif terms.unit_price > MAX_PRICE:
        errors.add("unit_price", _("This price is too large."))
    if terms.deliver_by is not None and terms.deliver_by < today:
        errors.add("deliver_by", _("The delivery date cannot be in the past."))
    note = (terms.note or "").strip()
    if len(note) > NOTE_MAX:
        errors.add("note", _("At most %(max)d characters.", max=NOTE_MAX))
    if errors:
        raise InvalidInput(dict(errors))
    return OfferTerms(terms.quantity, terms.unit_price, terms.deliver_by, note or None)


def _room_for(match: Match, quantity: int) -> None:
    """Refuses, before anything is written, an offer for more than either side still has."""
    more = quantity - match.quantity
    if more <= 0:
        return
    listing, order = _listing(match), _order(match)
    if more > listing.available_quantity or more > order.open_quantity:
        raise WrongState(_("There is not enough left for %(quantity)s: the listing has %(listing)s more free "
                           "and the order needs %(order)s more.", quantity=quantity,
                           listing=listing.available_quantity, order=order.open_quantity))


def make_offer(match: Match, user: User, terms: OfferTerms) -> Offer:
    """A new round; if the other party's offer is open, this one counters it."""
    party = _party(match, user)
    _negotiable(match)
    terms = _checked(match, terms, local_today())
    _room_for(match, terms.quantity)
    # Lock the match first, as every other use case on it does.
    if not _touch(match):
        raise _stale()
    pending = open_offer(match)
    if pending is not None and pending.by_party == party:
        db.session.rollback()
        raise WrongState(_("Your offer still waits for the other party's answer."))
    rounds = db.session.scalar(select(func.count(Offer.id)).where(Offer.match_id == match.id)) or 0
    if rounds >= MAX_ROUNDS:
        db.session.rollback()
        raise WrongState(_("This match has had %(max)d rounds of offers: accept or decline it now.",
                           max=MAX_ROUNDS))
    now = utcnow()
    if pending is not None:
        pending.status, pending.answered_at, pending.answered_by_id = OfferStatus.COUNTERED, now, user.id
        db.session.flush()
    offer = Offer(match_id=match.id, round=rounds + 1, by_party=party, by_user_id=user.id, quantity=terms.quantity,
                  unit_price=terms.unit_price, deliver_by=terms.deliver_by, note=terms.note,
                  status=OfferStatus.OPEN, created_at=now)
    db.session.add(offer)
    try:
        db.session.flush()
    except IntegrityError:
        # Another offer took the round or the open slot meanwhile.
        db.session.rollback()
        raise _stale() from None
    emit_event("match.offer_made", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party, offer_id=offer.id, offer_quantity=offer.quantity,
                               offer_unit_price=offer.unit_price, countered=pending is not None,
                               deliver_by=offer.deliver_by.isoformat() if offer.deliver_by else None,
                               note=offer.note))
    db.session.commit()
    return offer


def accept_offer(match: Match, offer: Offer, user: User) -> Match:
    """The other party takes the offer: its terms become the match's, more
    stock is held (or the difference released), and only the accepting
    party's acceptance stands, so the match is confirmed when the offer's
    author accepts these terms too."""
    party = _answering_party(match, offer, user)
    _negotiable(match)
    now = utcnow()
    old = {"quantity": match.quantity, "unit_price": match.unit_price,
           "deliver_by": match.deliver_by or _order(match).needed_by}
    first_terms = match.proposed_terms or {**old, "deliver_by": _iso(old["deliver_by"])}
    accepted_column = "producer_accepted_at" if party == "producer" else "distributor_accepted_at"
    other_column = "distributor_accepted_at" if party == "producer" else "producer_accepted_at"
    moved = db.session.execute(
        update(Match).where(Match.id == match.id, Match.status == MatchStatus.APPROVED.value,
                            Match.quantity == old["quantity"])
        .values({"quantity": offer.quantity, "unit_price": offer.unit_price,
                 "deliver_by": offer.deliver_by or old["deliver_by"], "proposed_terms": first_terms,
                 accepted_column: now, other_column: None, "updated_at": now})
        .execution_options(synchronize_session=False)).rowcount == 1
    if not moved or not _answer(offer, OfferStatus.ACCEPTED, user, now):
        raise _stale()
    more = offer.quantity - old["quantity"]
    if more > 0 and not stock.reserve(match.listing_id, match.order_id, more):
        db.session.rollback()
        raise WrongState(_("The listing or the order no longer has %(quantity)s more free: nothing changed.",
                           quantity=more))
    if more < 0:
        stock.release(match.listing_id, match.order_id, -more)
    db.session.refresh(match)
    emit_event("match.offer_accepted", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party, offer_id=offer.id, previous=_jsonable(old)))
    db.session.commit()
    return match


def decline_offer(match: Match, offer: Offer, user: User) -> Offer:
    party = _answering_party(match, offer, user)
    _negotiable(match)
    if not _touch(match) or not _answer(offer, OfferStatus.DECLINED, user, utcnow()):
        raise _stale()
    emit_event("match.offer_declined", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party, offer_id=offer.id, offer_quantity=offer.quantity,
                               offer_unit_price=offer.unit_price))
    db.session.commit()
    db.session.refresh(offer)
    return offer


def _answering_party(match: Match, offer: Offer, user: User) -> str:
    party = _party(match, user)
    if offer.match_id != match.id:
        raise NotAllowed(_("This offer belongs to another match."))
    if offer.status != OfferStatus.OPEN:
        raise WrongState(_("This offer was already answered."))
    if offer.by_party == party:
        raise NotAllowed(_("The other party answers your offer."))
    return party


def _touch(match: Match) -> bool:
    """Locks the match row while it is still approved."""
    return db.session.execute(
        update(Match).where(Match.id == match.id, Match.status == MatchStatus.APPROVED.value)
        .values(updated_at=utcnow()).execution_options(synchronize_session=False)).rowcount == 1


def _answer(offer: Offer, status: OfferStatus, user: User, now) -> bool:
    return db.session.execute(
        update(Offer).where(Offer.id == offer.id, Offer.status == OfferStatus.OPEN.value)
        .values(status=status.value, answered_at=now, answered_by_id=user.id)
        .execution_options(synchronize_session=False)).rowcount == 1


def _stale() -> WrongState:
    db.session.rollback()
    return WrongState(_("This match or offer changed meanwhile; reload the page."))


def _jsonable(terms: dict) -> dict:
    return {k: _iso(v) for k, v in terms.items()}


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def _listing(match: Match) -> Listing:
    return db.session.get(Listing, match.listing_id)


def _order(match: Match) -> DemandOrder:
    return db.session.get(DemandOrder, match.order_id)
