"""The demand board: what is wanted where, so producers see demand."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.orm import contains_eager

from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.core.validation import FieldErrors, InvalidInput
from marketplace.models import DemandOrder, Match, OrderRequiredCertification, OrderStatus, User
from marketplace.models.user import Role, UserStatus
from marketplace.trade.browse import (
    category_clause,
    check_price_range,
    distance_from,
    text_clause,
)
from marketplace.trade.checks import check_certification, check_province
from marketplace.trade.scope import oversees

ORDER_SORTS = ("newest", "price_asc", "price_desc", "needed_by", "distance")
OPEN_STATUSES = (OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED)


@dataclass(frozen=True)
class OrderFilters:
    category: str | None = None
    province: str | None = None        # delivery province; aliases accepted
    min_stars: int | None = None       # orders a producer with this many stars can serve
    certification: str | None = None   # orders that require this certification
    min_price: int | None = None       # on the buyer's maximum price
    max_price: int | None = None
    unit: str | None = None
    q: str | None = None
    sort: str = "newest"
    distributor_id: int | None = None


def _conditions(filters: OrderFilters, errors: FieldErrors) -> list:
    conditions = []
    if filters.category:
        conditions.append(category_clause(DemandOrder.category, filters.category, errors))
    if filters.province:
        conditions.append(DemandOrder.delivery_province_code == check_province(errors, filters.province, "province"))
    if filters.min_stars is not None:
        if filters.min_stars not in (0, 3, 4, 5):
            errors.add("min_stars", _("OCOP stars are 0 (none), 3, 4 or 5."))
        conditions.append(DemandOrder.min_stars <= filters.min_stars)
    if filters.certification:
        code = check_certification(errors, filters.certification, "certification")
        conditions.append(exists().where(OrderRequiredCertification.order_id == DemandOrder.id,
                                         OrderRequiredCertification.code == code))
    check_price_range(filters.min_price, filters.max_price, errors)
    if filters.min_price is not None:
        conditions.append(DemandOrder.max_unit_price >= filters.min_price)
    if filters.max_price is not None:
        conditions.append(DemandOrder.max_unit_price <= filters.max_price)
    if filters.unit:
        conditions.append(DemandOrder.unit == filters.unit)
    if filters.q:
        conditions.append(text_clause(DemandOrder.search_text, filters.q, errors))
    if filters.distributor_id is not None:
        conditions.append(DemandOrder.distributor_id == filters.distributor_id)
    if filters.sort not in ORDER_SORTS:
        errors.add("sort", _("Unknown sort order."))
    return [c for c in conditions if c is not None]


def _ordering(sort: str, viewer_province: str | None) -> list:
    if sort == "price_asc":
        return [DemandOrder.max_unit_price.asc(), DemandOrder.id.desc()]
    if sort == "price_desc":
        return [DemandOrder.max_unit_price.desc(), DemandOrder.id.desc()]
    if sort == "needed_by":
        return [DemandOrder.needed_by.asc().nulls_last(), DemandOrder.id.desc()]
    if sort == "distance":
        return [distance_from(DemandOrder.delivery_province_code, viewer_province), DemandOrder.id.desc()]
    return [DemandOrder.created_at.desc(), DemandOrder.id.desc()]


def browse_orders(filters: OrderFilters, today: date, viewer_province: str | None = None,
                  page: int | None = None, per_page: int | None = None) -> Page[DemandOrder]:
    """Open demand of active distributors that is still needed."""
    errors = FieldErrors()
    conditions = _conditions(filters, errors)
    if errors:
        raise InvalidInput(dict(errors))
    statement = (
        select(DemandOrder).join(DemandOrder.distributor)
        .options(contains_eager(DemandOrder.distributor).joinedload(User.profile))
        .where(DemandOrder.status.in_(OPEN_STATUSES), User.status == UserStatus.ACTIVE,
               or_(DemandOrder.needed_by.is_(None), DemandOrder.needed_by >= today), *conditions)
        .order_by(*_ordering(filters.sort, viewer_province)))
    return paginate(statement, page, per_page)


def distributor_orders(distributor: User, filters: OrderFilters, statuses=None,
                       page: int | None = None, per_page: int | None = None) -> Page[DemandOrder]:
    errors = FieldErrors()
    conditions = _conditions(OrderFilters(**{**filters.__dict__, "distributor_id": None}), errors)
    if errors:
        raise InvalidInput(dict(errors))
    statement = (
        select(DemandOrder).join(DemandOrder.distributor)
        .options(contains_eager(DemandOrder.distributor).joinedload(User.profile))
        .where(DemandOrder.distributor_id == distributor.id,
               DemandOrder.status.in_(statuses or list(OrderStatus)), *conditions)
        .order_by(*_ordering(filters.sort, None)))
    return paginate(statement, page, per_page)


def visible_order(viewer: User, order_id: int) -> DemandOrder | None:
    """One order as ``viewer`` may see it: open orders of active
    distributors for everyone, one's own in any status, an order a producer
    has a match on (whatever became of it, unless its owner is suspended or
    the programme took it down),
    all for admins of the whole country, those of their provinces for a
    scoped admin (who otherwise sees what anyone sees)."""
    order = db.session.scalar(
        select(DemandOrder).join(DemandOrder.distributor)
        .options(contains_eager(DemandOrder.distributor).joinedload(User.profile))
        .where(DemandOrder.id == order_id)
        .execution_options(populate_existing=True))
    if order is None:
        return None
    if order.distributor_id == viewer.id or oversees(viewer, order):
        return order
    if order.status in OPEN_STATUSES and order.distributor.status == UserStatus.ACTIVE:
        return order
    if (viewer.role == Role.PRODUCER and order.distributor.status == UserStatus.ACTIVE
            and order.taken_down_at is None and _matched_with(order.id, viewer.id)):
        return order
    return None


def _matched_with(order_id: int, producer_id: int) -> bool:
    return bool(db.session.scalar(select(exists().where(Match.order_id == order_id,
                                                        Match.producer_id == producer_id))))
