"""Programme staff take down a listing or a demand order, with a reason its
owner reads. The same soft removal as the owner's own (a listing becomes
removed, an order cancelled, their live matches are cancelled and release
their stock), plus who took it down, when and why: one transaction."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import WrongState
from marketplace.listings.services import EDITABLE as LISTING_LIVE
from marketplace.matches.lifecycle import cancel_open_matches, checked_reason
from marketplace.models import DemandOrder, Listing, ListingStatus, OrderStatus, User
from marketplace.orders.services import LIVE as ORDER_LIVE


@dataclass(frozen=True)
class _Kind:
    """What differs between taking down a listing and an order."""
    name: str               # the event's and the match filter's prefix: "listing" or "order"
    open_states: frozenset
    closed: object          # the status it ends in
    owner_field: str
    already_closed: object  # lazy messages, rendered in the request's language
    match_reason: object


LISTING = _Kind("listing", frozenset(LISTING_LIVE), ListingStatus.REMOVED, "producer_id",
                _l("This listing is already removed."), _l("The listing was taken down by the programme staff."))
ORDER = _Kind("order", frozenset(ORDER_LIVE | {OrderStatus.EXPIRED}), OrderStatus.CANCELLED, "distributor_id",
              _l("This order is already closed."), _l("The order was taken down by the programme staff."))


def _take_down(row, kind: _Kind, admin: User, reason: str | None) -> int:
    """Cancels the row's live matches (locked first, see cancel_open_matches),
    then closes the row with the takedown fields if it is still open; emits
    and commits once. Returns how many matches were cancelled."""
    if row.status not in kind.open_states:
        raise WrongState(str(kind.already_closed))
    reason = checked_reason(reason)
    table = type(row)
    try:
        cancelled = cancel_open_matches(actor=admin, reason=str(kind.match_reason), **{f"{kind.name}_id": row.id})
        changed = db.session.execute(
            update(table).where(table.id == row.id, table.status.in_([s.value for s in kind.open_states]))
            .values(status=kind.closed.value, revision=table.revision + 1, takedown_reason=reason,
                    taken_down_at=utcnow(), taken_down_by_id=admin.id)
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            raise WrongState(str(kind.already_closed))
        emit_event(f"{kind.name}.taken_down", target_type=kind.name, target_id=row.id, actor=admin, reason=reason,
                   **{kind.owner_field: getattr(row, kind.owner_field), f"{kind.name}_title": row.title},
                   cancelled_matches=cancelled)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(row)
    return cancelled


def take_down_listing(listing: Listing, admin: User, reason: str | None) -> int:
    """The listing leaves the catalogue for good; returns how many matches were cancelled."""
    return _take_down(listing, LISTING, admin, reason)


def take_down_order(order: DemandOrder, admin: User, reason: str | None) -> int:
    """The order is cancelled for good; returns how many matches were cancelled."""
    return _take_down(order, ORDER, admin, reason)
