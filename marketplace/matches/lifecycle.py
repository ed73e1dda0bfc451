"""The match lifecycle (DESIGN.md): moderation, the parties' answers,
delivery, cancellation and expiry.

Each transition is a conditional UPDATE on the match row (``WHERE id = :id
AND status IN (...)``): of two concurrent requests only one finds the match
in the expected state, so stock is released exactly once, on PostgreSQL and
SQLite alike. One commit per use case; every transition writes an audit row
and emits its event through ``marketplace.core.events.emit_event``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from marketplace.auth.permissions import confirm_email_first, must_confirm_email
from marketplace.core.clock import local_today, utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed, WrongState
from marketplace.matches import stock
from marketplace.matches.triggers import request_category_run
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, Offer, OfferStatus, Shipment, User
from marketplace.models.match import CANCELLABLE
from marketplace.models.user import Role
from marketplace.trace.services import check_shipment_lots, record_receiving, record_shipping
from marketplace.web.labels import match_status_label

REASON_MAX = 500
AWAITING_ANSWER = (MatchStatus.PROPOSED, MatchStatus.APPROVED)


def party_of(match: Match, user: User) -> str | None:
    if user.id == match.producer_id:
        return "producer"
    if user.id == match.distributor_id:
        return "distributor"
    return None


def proposal_ttl() -> timedelta:
    return timedelta(hours=current_app.config["MATCH_PROPOSAL_TTL_HOURS"])


def event_details(match: Match, **extra) -> dict:
    """What every match event carries, so a notification needs no query to phrase itself."""
    listing_title = db.session.scalar(select(Listing.title).where(Listing.id == match.listing_id))
    order_title = db.session.scalar(select(DemandOrder.title).where(DemandOrder.id == match.order_id))
    return {"match_id": match.id, "listing_id": match.listing_id, "order_id": match.order_id,
            "producer_id": match.producer_id, "distributor_id": match.distributor_id,
            "quantity": match.quantity, "unit": match.unit, "unit_price": match.unit_price,
            "listing_title": listing_title, "order_title": order_title, **extra}


def _move(match: Match, allowed, **values) -> bool:
    """Moves the match if it is still in an allowed state; False if someone else moved it first."""
    values.setdefault("updated_at", utcnow())
    result = db.session.execute(
        update(Match).where(Match.id == match.id, Match.status.in_([s.value for s in allowed]))
        .values(**values).execution_options(synchronize_session=False))
    db.session.refresh(match)
    return result.rowcount == 1


def checked_reason(reason: str | None, required: bool = True) -> str | None:
    """A reason as stored: trimmed, at most REASON_MAX characters, and
    present when required. Matches, suspensions and takedowns share it."""
    reason = (reason or "").strip()
    if required and not reason:
        raise InvalidInput({"reason": _("Please give a reason.")})
    if len(reason) > REASON_MAX:
        raise InvalidInput({"reason": _("At most %(max)d characters.", max=REASON_MAX)})
    return reason or None


def _stale(match: Match) -> WrongState:
    db.session.rollback()
    return WrongState(_("This match is now %(status)s; reload the page.",
                        status=str(match_status_label(match.status))))


def approve(match: Match, admin: User, *, by_policy: bool = False) -> Match:
    now = utcnow()
    if not _move(match, [MatchStatus.PROPOSED], status=MatchStatus.APPROVED, approved_at=now,
                 approved_by_id=None if by_policy else admin.id, approved_by_policy=by_policy,
                 expires_at=now + proposal_ttl()):
        raise _stale(match)
    emit_event("match.approved", target_type="match", target_id=match.id,
               actor=None if by_policy else admin, actor_label="policy" if by_policy else None,
               **event_details(match))
    db.session.commit()
    return match


def reject(match: Match, admin: User, reason: str | None) -> Match:
    reason = checked_reason(reason, required=True)
    if not _close(match, [MatchStatus.PROPOSED], MatchStatus.REJECTED, admin, reason):
        raise _stale(match)
    emit_event("match.rejected", target_type="match", target_id=match.id, actor=admin,
               **event_details(match, reason=reason))
    db.session.commit()
    return match


def accept(match: Match, user: User) -> Match:
    """The party's yes; the second yes confirms the match. Accepting twice changes nothing."""
    party = _party_or_refuse(match, user)
    if match.status == MatchStatus.PROPOSED:
        raise WrongState(_("This proposal is still waiting for moderation."))
    if must_confirm_email(user):
        raise WrongState(confirm_email_first())
    column = Match.producer_accepted_at if party == "producer" else Match.distributor_accepted_at
    now = utcnow()
    result = db.session.execute(
        update(Match).where(Match.id == match.id, Match.status == MatchStatus.APPROVED.value, column.is_(None))
        .values({column: now, Match.updated_at: now}).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(match)
        if match.status in (MatchStatus.APPROVED, MatchStatus.CONFIRMED) and getattr(match, column.key):
            db.session.rollback()
            return match  # already accepted by this party
        raise _stale(match)
    emit_event("match.accepted", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party))
    confirmed = db.session.execute(
        update(Match).where(Match.id == match.id, Match.status == MatchStatus.APPROVED.value,
                            Match.producer_accepted_at.is_not(None), Match.distributor_accepted_at.is_not(None))
        .values(status=MatchStatus.CONFIRMED.value, confirmed_at=now, expires_at=None, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(match)
    if confirmed:
        emit_event("match.confirmed", target_type="match", target_id=match.id, actor=user,
                   **event_details(match, party=party))
        _announce_sold_out_and_filled(match)
    db.session.commit()
    return match


def decline(match: Match, user: User, reason: str | None = None) -> Match:
    party = _party_or_refuse(match, user)
    reason = checked_reason(reason, required=False)
    if match.status == MatchStatus.PROPOSED:
        raise WrongState(_("This proposal is still waiting for moderation."))
    if not _close(match, [MatchStatus.APPROVED], MatchStatus.DECLINED, user, reason):
        raise _stale(match)
    emit_event("match.declined", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party, reason=reason))
    db.session.commit()
    return match


def cancel(match: Match, user: User, reason: str | None) -> Match:
    """Either party or an admin calls a deal off before delivery."""
    party = party_of(match, user)
    if party is None and user.role != Role.ADMIN:
        raise NotAllowed(_("Only the two parties or an admin can cancel this match."))
    reason = checked_reason(reason, required=True)
    if match.status == MatchStatus.SHIPPED:
        raise WrongState(_("Goods are on their way: a shipped match cannot be cancelled. Write to the programme "
                           "staff in the thread if something went wrong."))
    if not _close(match, CANCELLABLE, MatchStatus.CANCELLED, user, reason):
        raise _stale(match)
    emit_event("match.cancelled", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party or "admin", reason=reason))
    db.session.commit()
    return match


@dataclass(frozen=True)
class ShipmentInput:
    quantity: int | None
    shipped_on: date | None
    carrier: str | None = None
    tracking: str | None = None
    lots: tuple[int, ...] = ()      # ids of the listing's lots the shipment carries


def ship(match: Match, user: User, data: ShipmentInput) -> Shipment:
    """The producer records goods leaving: part or all of the match; several shipments may follow."""
    if party_of(match, user) != "producer":
        raise NotAllowed(_("Only the producer records a shipment."))
    if match.status not in (MatchStatus.CONFIRMED, MatchStatus.SHIPPED):
        raise WrongState(_("Only a confirmed match can be shipped."))
    errors = FieldErrors()
    left = match.quantity - match.shipped_quantity
    if data.quantity is None or data.quantity <= 0:
        errors.add("quantity", _("Enter a whole number greater than zero."))
    elif data.quantity > left:
        errors.add("quantity", _("At most %(quantity)s is left to ship.", quantity=left))
    today = local_today()
    if data.shipped_on is None:
        errors.add("shipped_on", _("Give the day the goods left."))
    elif data.shipped_on > today or data.shipped_on < today - timedelta(days=60):
        errors.add("shipped_on", _("Give a day in the last 60 days, not in the future."))
    carrier, tracking = (data.carrier or "").strip(), (data.tracking or "").strip()
    if len(carrier) > 120:
        errors.add("carrier", _("At most %(max)d characters.", max=120))
    if len(tracking) > 300:
        errors.add("tracking", _("At most %(max)d characters.", max=300))
    try:
        lots = check_shipment_lots(match, data.lots)
    except InvalidInput as error:
        errors.update({k: v for k, v in error.fields.items() if k not in errors})
    if errors:
        raise InvalidInput(dict(errors))
    now = utcnow()
    moved = db.session.execute(
        update(Match).where(Match.id == match.id,
                            Match.status.in_([MatchStatus.CONFIRMED.value, MatchStatus.SHIPPED.value]),
                            Match.shipped_quantity + data.quantity <= Match.quantity)
        .values(status=MatchStatus.SHIPPED.value, shipped_quantity=Match.shipped_quantity + data.quantity,
                shipped_at=db.func.coalesce(Match.shipped_at, now), updated_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not moved:
        raise _stale(match)
    shipment = Shipment(match_id=match.id, quantity=data.quantity, shipped_on=data.shipped_on,
                        carrier=carrier or None, tracking=tracking or None, created_by_id=user.id, created_at=now)
    db.session.add(shipment)
    db.session.flush()
    record_shipping(match, shipment, lots)
    db.session.refresh(match)
    emit_event("match.shipped", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party="producer", shipment_id=shipment.id, shipped=data.quantity,
                               shipped_total=match.shipped_quantity, lots=[lot.code for lot in lots]))
    db.session.commit()
    return shipment


def fulfil(match: Match, user: User, received: int | None = None) -> Match:
    """The buyer confirms receipt of ``received`` (by default all that was
    shipped, or the whole match if nothing was recorded as shipped): that
    much is sold and delivered, the rest of the hold goes back to both sides."""
    if party_of(match, user) != "distributor":
        raise NotAllowed(_("Only the buyer confirms receipt."))
    if match.status not in (MatchStatus.CONFIRMED, MatchStatus.SHIPPED):
        raise _stale(match)
    ceiling = match.shipped_quantity if match.status == MatchStatus.SHIPPED else match.quantity
    received = ceiling if received is None else received
    if received <= 0 or received > ceiling:
        raise InvalidInput({"received_quantity": _("Enter the quantity that arrived, from 1 to %(max)s.",
                                                   max=ceiling)})
    # A shipment recorded meanwhile lowers the ceiling: received never exceeds what was shipped.
    now = utcnow()
    moved = db.session.execute(
        update(Match).where(Match.id == match.id, db.or_(
            Match.status == MatchStatus.CONFIRMED.value,
            db.and_(Match.status == MatchStatus.SHIPPED.value, Match.shipped_quantity >= received)))
        .values(status=MatchStatus.FULFILLED.value, fulfilled_at=now, received_quantity=received,
                on_time=_on_time(match), updated_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    db.session.refresh(match)
    if not moved:
        raise _stale(match)
    stock.deliver(match.listing_id, match.order_id, match.quantity, received, match.unit_price)
    record_receiving(match, received)
    emit_event("match.fulfilled", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party="distributor", received=received, missing=match.quantity - received))
    order = db.session.execute(select(DemandOrder.status, DemandOrder.title, DemandOrder.distributor_id)
                               .where(DemandOrder.id == match.order_id)).one()
    if order.status == "fulfilled":
        emit_event("order.fulfilled", target_type="order", target_id=match.order_id, actor=user,
                   distributor_id=order.distributor_id, order_title=order.title)
    if received < match.quantity:
        request_category_run(match.category)     # the order's remainder is matched again
    db.session.commit()
    return match


def shipments_of(match: Match) -> list[Shipment]:
    return list(db.session.scalars(select(Shipment).where(Shipment.match_id == match.id).order_by(Shipment.id)))


def _on_time(match: Match) -> bool:
    """Left by the agreed day (the first shipment), or arrived by it when no shipment was recorded."""
    due = match.deliver_by or db.session.scalar(select(DemandOrder.needed_by).where(DemandOrder.id == match.order_id))
    if due is None:
        return True
    left = db.session.scalar(select(db.func.min(Shipment.shipped_on)).where(Shipment.match_id == match.id))
    return (left or local_today()) <= due


def expire_stale(now: datetime | None = None, batch: int = 200) -> int:
    """Proposals and approved matches nobody finished in time release their stock.

    One commit per match: holding one match's listing while taking the next
    match would wait on a person answering that match, who waits on the listing.
    """
    now = now or utcnow()
    expired = 0
    while True:
        ids = db.session.scalars(
            select(Match.id).where(Match.status.in_([s.value for s in AWAITING_ANSWER]), Match.expires_at < now)
            .order_by(Match.expires_at).limit(batch)).all()
        db.session.rollback()
        if not ids:
            return expired
        for match_id in ids:
            match = db.session.get(Match, match_id)
            if _close(match, AWAITING_ANSWER, MatchStatus.EXPIRED, None, None):
                emit_event("match.expired", target_type="match", target_id=match.id, **event_details(match))
                expired += 1
            db.session.commit()


def cancel_open_matches(*, actor: User | None, reason: str, listing_id: int | None = None,
                        order_id: int | None = None, user_id: int | None = None) -> int:
    """Ends every live match of a listing, an order or an account; the caller
    commits with its own change, which it must make after this call.

    The matches are locked first, in id order, before any listing or order
    row: the same order as a party answering one of them (match, then
    listing, then order), so the two wait for each other at most once.
    """
    query = select(Match).where(Match.status.in_([s.value for s in CANCELLABLE]))
    if listing_id is not None:
        query = query.where(Match.listing_id == listing_id)
    if order_id is not None:
        query = query.where(Match.order_id == order_id)
    if user_id is not None:
        query = query.where(db.or_(Match.producer_id == user_id, Match.distributor_id == user_id))
    cancelled = 0
    with db.session.no_autoflush:
        matches = db.session.scalars(query.order_by(Match.id).with_for_update()
                                     .execution_options(populate_existing=True)).all()
    for match in matches:
        if _close(match, CANCELLABLE, MatchStatus.CANCELLED, actor, reason):
            emit_event("match.cancelled", target_type="match", target_id=match.id, actor=actor,
                       **event_details(match, party=_acting_party(match, actor), reason=reason))
            cancelled += 1
    return cancelled


def _acting_party(match: Match, actor: User | None) -> str | None:
    if actor is None:
        return None
    if actor.role == Role.ADMIN:
        return "admin"
    return party_of(match, actor)


def _close(match: Match, allowed, to: MatchStatus, actor: User | None, reason: str | None) -> bool:
    """Ends a reserving match and gives its quantity back to the listing and the order."""
    if not _move(match, allowed, status=to, closed_at=utcnow(), closed_by_id=actor.id if actor else None,
                 reason=reason, expires_at=None):
        return False
    stock.release(match.listing_id, match.order_id, match.quantity)
    # An open counter-offer ends with its match.
    db.session.execute(update(Offer).where(Offer.match_id == match.id, Offer.status == OfferStatus.OPEN.value)
                       .values(status=OfferStatus.CLOSED.value, answered_at=utcnow())
                       .execution_options(synchronize_session=False))
    # The released quantity is matched again soon, not only at the next full run.
    request_category_run(match.category)
    return True


def _party_or_refuse(match: Match, user: User) -> str:
    party = party_of(match, user)
    if party is None:
        raise NotAllowed(_("Only the two parties can answer this match."))
    return party


def _announce_sold_out_and_filled(match: Match) -> None:
    listing = db.session.execute(select(Listing.quantity, Listing.reserved_quantity, Listing.title,
                                        Listing.producer_id).where(Listing.id == match.listing_id)).one()
    if listing.quantity - listing.reserved_quantity <= 0:
        emit_event("listing.sold_out", target_type="listing", target_id=match.listing_id,
                   producer_id=listing.producer_id, listing_title=listing.title)
    order = db.session.execute(select(DemandOrder.quantity, DemandOrder.reserved_quantity,
                                      DemandOrder.fulfilled_quantity, DemandOrder.title,
                                      DemandOrder.distributor_id).where(DemandOrder.id == match.order_id)).one()
    if order.reserved_quantity + order.fulfilled_quantity >= order.quantity:
        emit_event("order.filled", target_type="order", target_id=match.order_id,
                   distributor_id=order.distributor_id, order_title=order.title)
