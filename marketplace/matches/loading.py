"""The engine's input, read in bulk with Core selects: what each active
listing still has and what each open order still needs, plus the pairs the
engine must leave alone."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, or_, select

from marketplace.core.extensions import db
from marketplace.geo import get_province
from marketplace.matches.reputation import reliabilities
from marketplace.matching import Demand, Supply
from marketplace.matching.types import build_many
from marketplace.models import (
    DemandOrder,
    Listing,
    ListingCertification,
    ListingStatus,
    Match,
    OrderRequiredCertification,
    OrderStatus,
    User,
)
from marketplace.models.match import REFUSED, RESERVING
from marketplace.models.user import UserStatus

_OPEN_ORDER = [OrderStatus.OPEN.value, OrderStatus.PARTIALLY_MATCHED.value]


class Side(NamedTuple):
    """Who owns a row, which revision the engine saw, and where it belongs.
    (A tuple: 2 x 10^5 of them are built per full run.)"""
    owner_id: int
    revision: int
    category: str
    unit: str


def _as_list(categories: str | Sequence[str]) -> list[str]:
    return [categories] if isinstance(categories, str) else list(categories)


@cache
def point(province_code: str) -> tuple[float, float]:
    """A province's centroid (the middle of Vietnam for an unknown code)."""
    province = get_province(province_code)
    return (province.lat, province.lon) if province else (16.0, 106.0)


def load_supplies(categories: str | Sequence[str], today: date) -> tuple[list[Supply], dict[int, Side]]:
    categories = _as_list(categories)
    remaining = Listing.quantity - Listing.reserved_quantity
    rows = db.session.execute(
        select(Listing.id, Listing.category, Listing.unit, remaining, Listing.unit_price, Listing.province_code, Listing.stars,
               Listing.min_order_quantity, Listing.available_from, Listing.available_until, Listing.revision,
               Listing.producer_id)
        .join(User, User.id == Listing.producer_id)
        .where(Listing.status == ListingStatus.ACTIVE.value, Listing.category.in_(categories), remaining > 0,
               User.status == UserStatus.ACTIVE.value,
               or_(Listing.available_until.is_(None), Listing.available_until >= today))
        .order_by(Listing.id)).all()
    certificates: dict[int, frozenset | set] = {}
    for listing_id, code in db.session.execute(
            select(ListingCertification.listing_id, ListingCertification.code)
            .join(Listing, Listing.id == ListingCertification.listing_id)
            .where(Listing.status == ListingStatus.ACTIVE.value, Listing.category.in_(categories),
                   or_(ListingCertification.expires_on.is_(None), ListingCertification.expires_on >= today))):
        certificates.setdefault(listing_id, set()).add(code)
    certificates = {key: frozenset(codes) for key, codes in certificates.items()}
    # Field order of Supply; build_many skips the frozen dataclass __init__ (10^5 rows).
    none = frozenset()
    reliability = reliabilities({row[11] for row in rows})
    supplies = build_many(Supply, (
        (id_, category, unit, int(left), price, *point(province), stars, certificates.get(id_, none), minimum,
         start, end, reliability[owner])
        for (id_, category, unit, left, price, province, stars, minimum, start, end, _rev, owner) in rows))
    sides = {row[0]: Side(row[11], row[10], row[1], row[2]) for row in rows}
    return supplies, sides


def load_demands(categories: str | Sequence[str], today: date) -> tuple[list[Demand], dict[int, Side]]:
    categories = _as_list(categories)
    left_over = DemandOrder.quantity - DemandOrder.reserved_quantity - DemandOrder.fulfilled_quantity
    rows = db.session.execute(
        select(DemandOrder.id, DemandOrder.category, DemandOrder.unit, left_over, DemandOrder.max_unit_price,
               DemandOrder.delivery_province_code, DemandOrder.needed_by, DemandOrder.min_stars,
               DemandOrder.allow_split, DemandOrder.revision, DemandOrder.distributor_id)
        .join(User, User.id == DemandOrder.distributor_id)
        .where(DemandOrder.status.in_(_OPEN_ORDER), DemandOrder.category.in_(categories), left_over > 0,
               User.status == UserStatus.ACTIVE.value,
               or_(DemandOrder.needed_by.is_(None), DemandOrder.needed_by >= today),
               # An order filled by one listing only is either whole or waiting for one.
               or_(DemandOrder.allow_split.is_(True),
                   DemandOrder.reserved_quantity + DemandOrder.fulfilled_quantity == 0))
        .order_by(DemandOrder.id)).all()
    required: dict[int, frozenset | set] = {}
    for order_id, code in db.session.execute(
            select(OrderRequiredCertification.order_id, OrderRequiredCertification.code)
            .join(DemandOrder, DemandOrder.id == OrderRequiredCertification.order_id)
            .where(DemandOrder.status.in_(_OPEN_ORDER), DemandOrder.category.in_(categories))):
        required.setdefault(order_id, set()).add(code)
    required = {key: frozenset(codes) for key, codes in required.items()}
    none = frozenset()
    demands = build_many(Demand, (
        (id_, category, unit, int(left), max_price, *point(province), needed_by, min_stars,
         required.get(id_, none), split)
        for (id_, category, unit, left, max_price, province, needed_by, min_stars, split, _rev, _owner) in rows))
    sides = {row[0]: Side(row[10], row[9], row[1], row[2]) for row in rows}
    return demands, sides


def excluded_pairs(categories: str | Sequence[str]) -> set[tuple[int, int]]:
    """Pairs with a live match (one deal per pair at a time), and pairs a
    party declined or an admin rejected while neither side has changed since."""
    rows = db.session.execute(
        select(Match.listing_id, Match.order_id)
        .join(Listing, Listing.id == Match.listing_id)
        .join(DemandOrder, DemandOrder.id == Match.order_id)
        .where(Match.category.in_(_as_list(categories)),
               or_(Match.status.in_([s.value for s in RESERVING]),
                   and_(Match.status.in_([s.value for s in REFUSED]),
                        Match.listing_revision == Listing.revision,
                        Match.order_revision == DemandOrder.revision))))
    return {(listing_id, order_id) for listing_id, order_id in rows}


def live_categories(today: date) -> list[str]:
    """Categories with stock on offer and an order waiting: the only ones a run can match."""
    supply = set(db.session.scalars(
        select(Listing.category).where(Listing.status == ListingStatus.ACTIVE.value,
                                       Listing.quantity > Listing.reserved_quantity).distinct()))
    demand = set(db.session.scalars(
        select(DemandOrder.category).where(DemandOrder.status.in_(_OPEN_ORDER)).distinct()))
    return sorted(supply & demand)
