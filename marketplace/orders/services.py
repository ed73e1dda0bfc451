"""Demand-order use cases: a distributor posts, edits and cancels orders; a
periodic task expires them. One commit per use case."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update

from marketplace.auth.permissions import confirm_email_first, must_confirm_email
from marketplace.core.concurrency import lock_for_change
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.rate import check_cap, check_rate, count_write
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed, WrongState
from marketplace.geo import fold
from marketplace.matches.lifecycle import cancel_open_matches
from marketplace.matches.triggers import request_category_run
from marketplace.models import DemandOrder, OrderRequiredCertification, OrderStatus, User
from marketplace.models.user import Role
from marketplace.trade.certifications import sync_certifications
from marketplace.trade.checks import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    canonical_code,
    check_category,
    check_certifications,
    check_province,
    check_quantity,
    check_stars,
    check_text,
    price_per_base,
    unit_factor,
)
from marketplace.trade.scope import oversees

LIVE = {OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED, OrderStatus.MATCHED}


@dataclass(frozen=True)
class OrderInput:
    """What a distributor types; quantity and price are in ``unit``."""
    title: str
    category: str
    unit: str
    quantity: int | Decimal
    max_unit_price: int
    delivery_province: str
    description: str = ""
    needed_by: date | None = None
    min_stars: int = 0
    required_certifications: tuple[str, ...] = field(default_factory=tuple)
    allow_split: bool = True


def input_from_order(order: DemandOrder) -> OrderInput:
    return OrderInput(
        title=order.title, category=order.category, unit=order.unit, quantity=order.quantity,
        max_unit_price=order.max_unit_price, delivery_province=order.delivery_province_code,
        description=order.description, needed_by=order.needed_by, min_stars=order.min_stars,
        required_certifications=tuple(order.required_codes), allow_split=order.allow_split,
    )


def _checked(data: OrderInput, today: date, reserved: int = 0) -> dict:
    errors = FieldErrors()
    title = check_text(errors, "title", data.title, TITLE_MAX, required=True)
    description = check_text(errors, "description", data.description, DESCRIPTION_MAX)
    check_category(errors, data.category)
    base, factor = unit_factor(errors, data.unit)
    quantity = check_quantity(errors, "quantity", data.quantity, factor, data.unit)
    if quantity and quantity < reserved:
        errors.add("quantity", _("%(reserved)d are already promised by matches; the quantity cannot go below that.",
                                 reserved=reserved))
    price = price_per_base(errors, "max_unit_price", data.max_unit_price, factor)
    province_code = check_province(errors, data.delivery_province, "delivery_province")
    check_stars(errors, data.min_stars, "min_stars")
    if data.needed_by and data.needed_by < today:
        errors.add("needed_by", _("This date is in the past."))
    check_certifications(errors, "required_certifications", data.required_certifications)
    if errors:
        raise InvalidInput(dict(errors))
    return {"title": title, "description": description, "category": data.category, "unit": base,
            "quantity": quantity, "max_unit_price": price, "delivery_province_code": province_code,
            "needed_by": data.needed_by, "min_stars": data.min_stars, "allow_split": bool(data.allow_split)}


def check_order(data: OrderInput, today: date, reserved: int = 0) -> None:
    """The same checks as create and update, storing nothing."""
    _checked(data, today, reserved)


def _apply(order: DemandOrder, values: dict, codes: tuple[str, ...]) -> None:
    for name, value in values.items():
        setattr(order, name, value)
    sync_certifications(order.required_certifications, {canonical_code(code): {} for code in codes},
                        OrderRequiredCertification)
    order.search_text = fold(f"{order.title} {order.description}")


def status_for_reserved(order: DemandOrder) -> OrderStatus:
    """Where a live order stands after its matches moved."""
    if order.fulfilled_quantity >= order.quantity:
        return OrderStatus.FULFILLED
    if order.committed_quantity <= 0:
        return OrderStatus.OPEN
    if order.committed_quantity < order.quantity:
        return OrderStatus.PARTIALLY_MATCHED
    return OrderStatus.MATCHED


def require_distributor(user: User) -> None:
    if user.role != Role.DISTRIBUTOR:
        raise NotAllowed(_("Only distributors can post demand orders."))


def create_order(distributor: User, data: OrderInput, today: date) -> DemandOrder:
    """One order, within the account's ``ORDER_RATE_LIMIT``."""
    require_distributor(distributor)
    message = _("You have created many orders in a short time. Please wait a while and try again.")
    check_rate("ORDER_RATE_LIMIT", "order-create", distributor.id, message)
    order = create_orders(distributor, [data], today)[0]
    count_write("ORDER_RATE_LIMIT", "order-create", distributor.id)
    return order


def create_orders(distributor: User, inputs, today: date) -> list[DemandOrder]:
    """One order, or a spreadsheet's worth: all stored in one transaction or
    none, and one match run asked for per category."""
    require_distributor(distributor)
    if must_confirm_email(distributor):
        raise InvalidInput({}, confirm_email_first())
    inputs = list(inputs)
    live = db.session.scalar(select(func.count(DemandOrder.id)).where(
        DemandOrder.distributor_id == distributor.id, DemandOrder.status.in_(LIVE)))
    cap = current_app.config["MAX_LIVE_ORDERS"]
    check_cap("MAX_LIVE_ORDERS", live, len(inputs), ngettext(
        "An account can keep at most %(num)d open order; cancel one you no longer need first.",
        "An account can keep at most %(num)d open orders; cancel ones you no longer need first.", cap))
    orders = []
    try:
        for data in inputs:
            order = DemandOrder(distributor_id=distributor.id, reserved_quantity=0, status=OrderStatus.OPEN)
            _apply(order, _checked(data, today), tuple(data.required_certifications))
            db.session.add(order)
            orders.append(order)
    except InvalidInput:
        db.session.rollback()
        raise
    for category in sorted({order.category for order in orders}):
        request_category_run(category)
    db.session.commit()
    return orders


def update_order(order: DemandOrder, data: OrderInput, today: date) -> DemandOrder:
    lock_for_change(order)
    try:
        if order.status not in LIVE | {OrderStatus.EXPIRED}:
            raise WrongState(_("A fulfilled or cancelled order cannot be edited."))
        values = _checked(data, today, reserved=order.committed_quantity)
        if values["unit"] != order.unit and order.reserved_quantity:
            raise InvalidInput({"unit": _("The unit cannot change while matches promise part of this order.")})
    except (WrongState, InvalidInput):
        db.session.rollback()
        raise
    _apply(order, values, tuple(data.required_certifications))
    order.status = status_for_reserved(order)
    request_category_run(order.category)
    db.session.commit()
    return order


def cancel_order(order: DemandOrder, actor: User) -> DemandOrder:
    """Kept for history, never matched again."""
    # An admin only where they oversee it (an out-of-scope order may still be public to them).
    if order.distributor_id != actor.id and not oversees(actor, order):
        raise NotAllowed(_("You can only cancel your own orders."))
    if order.status not in LIVE | {OrderStatus.EXPIRED}:
        raise WrongState(_("This order is already closed."))
    # Before the order row is touched: see cancel_open_matches on lock order.
    cancelled = cancel_open_matches(actor=actor, reason=_("The order was cancelled."), order_id=order.id)
    # Audited: an admin cancelling someone's order is an admin action.
    emit_event("order.cancelled", target_type="order", target_id=order.id, actor=actor,
               distributor_id=order.distributor_id, order_title=order.title, cancelled_matches=cancelled)
    order.status = OrderStatus.CANCELLED
    order.revision = DemandOrder.revision + 1  # in SQL: never from a stale copy
    db.session.commit()
    return order


def expire_orders(today: date) -> int:
    """Orders still wanting goods after their needed-by date expire."""
    result = db.session.execute(
        update(DemandOrder)
        .where(DemandOrder.status.in_([OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED]),
               DemandOrder.needed_by < today)
        .values(status=OrderStatus.EXPIRED, revision=DemandOrder.revision + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount
