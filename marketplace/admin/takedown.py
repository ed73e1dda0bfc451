"""Programme staff take down a listing or a demand order, with a reason its
owner reads. The same soft removal as the owner's own (a listing becomes
removed, an order cancelled, their live matches are cancelled and release
their stock), plus who took it down, when and why: one transaction."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from marketplace.admin.accounts import checked_reason
from marketplace.events import emit_event
from marketplace.extensions import db
from marketplace.listings.services import EDITABLE as LISTING_LIVE
from marketplace.matches.lifecycle import cancel_open_matches
from marketplace.models import DemandOrder, Listing, ListingStatus, OrderStatus, User
from marketplace.models.base import utcnow
from marketplace.orders.services import LIVE as ORDER_LIVE
from marketplace.validation import WrongState

ORDER_OPEN = ORDER_LIVE | {OrderStatus.EXPIRED}


def _take_down(row, admin: User, reason: str, allowed: set, to, match_reason: str, **match_filter) -> int:
    """Cancels the row's live matches (locked first), then the conditional
    status change with the takedown fields; the caller emits and commits."""
    table = type(row)
    cancelled = cancel_open_matches(actor=admin, reason=match_reason, **match_filter)
    changed = db.session.execute(
        update(table).where(table.id == row.id, table.status.in_([s.value for s in allowed]))
        .values(status=to.value, revision=table.revision + 1, takedown_reason=reason, taken_down_at=utcnow(),
                taken_down_by_id=admin.id)
        .execution_options(synchronize_session=False)).rowcount
    return cancelled if changed == 1 else -1


def take_down_listing(listing: Listing, admin: User, reason: str | None) -> int:
    """The listing leaves the catalogue for good; returns how many matches were cancelled."""
    if listing.status not in LISTING_LIVE:
        raise WrongState(_("This listing is already removed."))
    reason = checked_reason(reason)
    try:
        cancelled = _take_down(listing, admin, reason, LISTING_LIVE, ListingStatus.REMOVED,
                               _("The listing was taken down by the programme staff."), listing_id=listing.id)
        if cancelled < 0:
            raise WrongState(_("This listing is already removed."))
        emit_event("listing.taken_down", target_type="listing", target_id=listing.id, actor=admin, reason=reason,
                   producer_id=listing.producer_id, listing_title=listing.title, cancelled_matches=cancelled)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(listing)
    return cancelled


def take_down_order(order: DemandOrder, admin: User, reason: str | None) -> int:
    """The order is cancelled for good; returns how many matches were cancelled."""
    if order.status not in ORDER_OPEN:
        raise WrongState(_("This order is already closed."))
    reason = checked_reason(reason)
    try:
        cancelled = _take_down(order, admin, reason, ORDER_OPEN, OrderStatus.CANCELLED,
                               _("The order was taken down by the programme staff."), order_id=order.id)
        if cancelled < 0:
            raise WrongState(_("This order is already closed."))
        emit_event("order.taken_down", target_type="order", target_id=order.id, actor=admin, reason=reason,
                   distributor_id=order.distributor_id, order_title=order.title, cancelled_matches=cancelled)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(order)
    return cancelled
