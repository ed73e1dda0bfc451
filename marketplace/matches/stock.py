"""Moving quantity between a listing's stock, its reservations and its sales,
and an order's room, reservations and deliveries.

Every change is one relative UPDATE (``reserved = reserved - :q``), so two
transactions never overwrite each other's figures on either database, and
the statuses are recomputed in the same statement from the new figures.
The CHECK constraints on both tables refuse anything that would promise
more than there is.
"""
from __future__ import annotations

from sqlalchemy import case, update

from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, ListingStatus, OrderStatus

_LIVE_ORDER = (OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED, OrderStatus.MATCHED)


def listing_status_after(available_after) -> case:
    """Active with nothing left is sold out; sold out with stock back is active again."""
    return case(
        (db.and_(Listing.status == ListingStatus.ACTIVE, available_after <= 0), ListingStatus.SOLD_OUT.value),
        (db.and_(Listing.status == ListingStatus.SOLD_OUT, available_after > 0), ListingStatus.ACTIVE.value),
        else_=Listing.status)


def order_status_after(reserved_after, fulfilled_after) -> case:
    committed = reserved_after + fulfilled_after
    return case(
        (DemandOrder.status.not_in([s.value for s in _LIVE_ORDER]), DemandOrder.status),
        (fulfilled_after >= DemandOrder.quantity, OrderStatus.FULFILLED.value),
        (committed <= 0, OrderStatus.OPEN.value),
        (committed < DemandOrder.quantity, OrderStatus.PARTIALLY_MATCHED.value),
        else_=OrderStatus.MATCHED.value)


def _run(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))


def release(listing_id: int, order_id: int, quantity: int) -> None:
    """A match that reserved ``quantity`` ended without delivery."""
    reserved = Listing.reserved_quantity - quantity
    _run(update(Listing).where(Listing.id == listing_id).values(
        reserved_quantity=reserved, status=listing_status_after(Listing.quantity - reserved)))
    order_reserved = DemandOrder.reserved_quantity - quantity
    _run(update(DemandOrder).where(DemandOrder.id == order_id).values(
        reserved_quantity=order_reserved,
        status=order_status_after(order_reserved, DemandOrder.fulfilled_quantity)))


def deliver(listing_id: int, order_id: int, quantity: int, received: int, unit_price: int) -> None:
    """A match that held ``quantity`` is received as ``received`` (at most
    ``quantity``): that leaves the listing's stock for good and counts as
    sold and delivered; the rest of the hold goes back to both sides."""
    missing = quantity - received
    _run(update(Listing).where(Listing.id == listing_id).values(
        quantity=Listing.quantity - received, reserved_quantity=Listing.reserved_quantity - quantity,
        sold_quantity=Listing.sold_quantity + received, revenue=Listing.revenue + received * unit_price,
        status=listing_status_after(Listing.quantity - Listing.reserved_quantity + missing)))
    _run(update(DemandOrder).where(DemandOrder.id == order_id).values(
        reserved_quantity=DemandOrder.reserved_quantity - quantity,
        fulfilled_quantity=DemandOrder.fulfilled_quantity + received,
        status=order_status_after(DemandOrder.reserved_quantity - quantity,
                                  DemandOrder.fulfilled_quantity + received)))


def reserve(listing_id: int, order_id: int, quantity: int) -> bool:
    """Holds ``quantity`` more on both sides if both still have it, by the
    same conditional relative UPDATEs as a run; False (nothing held) if
    either has not. The caller rolls back on False if it changed anything else."""
    listing_room = Listing.quantity - Listing.reserved_quantity
    held = db.session.execute(
        update(Listing).where(Listing.id == listing_id, Listing.status == ListingStatus.ACTIVE.value,
                              listing_room >= quantity)
        .values(reserved_quantity=Listing.reserved_quantity + quantity,
                status=listing_status_after(listing_room - quantity))
        .execution_options(synchronize_session=False)).rowcount == 1
    if not held:
        return False
    order_reserved = DemandOrder.reserved_quantity + quantity
    held = db.session.execute(
        update(DemandOrder).where(
            DemandOrder.id == order_id,
            DemandOrder.status.in_([OrderStatus.OPEN.value, OrderStatus.PARTIALLY_MATCHED.value]),
            DemandOrder.quantity - DemandOrder.reserved_quantity - DemandOrder.fulfilled_quantity >= quantity)
        .values(reserved_quantity=order_reserved,
                status=order_status_after(order_reserved, DemandOrder.fulfilled_quantity))
        .execution_options(synchronize_session=False)).rowcount == 1
    if not held:
        _run(update(Listing).where(Listing.id == listing_id).values(
            reserved_quantity=Listing.reserved_quantity - quantity,
            status=listing_status_after(Listing.quantity - Listing.reserved_quantity + quantity)))
    return held
