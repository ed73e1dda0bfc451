"""The engine's input, read in bulk with Core selects: what each active
listing still has and what each open order still needs, plus the pairs the
engine must leave alone."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select

from marketplace.extensions import db
from marketplace.geo import get_province
from marketplace.matching import Demand, Supply
from marketplace.models import (
    DemandOrder, Listing, ListingCertification, ListingStatus, Match, OrderRequiredCertification, OrderStatus, User,
)
from marketplace.models.match import REFUSED, RESERVING
from marketplace.models.user import UserStatus

_OPEN_ORDER = [OrderStatus.OPEN.value, OrderStatus.PARTIALLY_MATCHED.value]


@dataclass(frozen=True)
class Side:
    """Who owns a row and which revision the engine saw."""
    owner_id: int
    revision: int


def _point(province_code: str) -> tuple[float, float]:
    province = get_province(province_code)
    return (province.lat, province.lon) if province else (16.0, 106.0)


def load_supplies(category: str, today: date) -> tuple[list[Supply], dict[int, Side]]:
    remaining = Listing.quantity - Listing.reserved_quantity
    rows = db.session.execute(
        select(Listing.id, Listing.unit, remaining, Listing.unit_price, Listing.province_code, Listing.stars,
               Listing.min_order_quantity, Listing.available_from, Listing.available_until, Listing.revision,
               Listing.producer_id)
        .join(User, User.id == Listing.producer_id)
        .where(Listing.status == ListingStatus.ACTIVE.value, Listing.category == category, remaining > 0,
               User.status == UserStatus.ACTIVE.value,
               or_(Listing.available_until.is_(None), Listing.available_until >= today))
        .order_by(Listing.id)).all()
    certificates = defaultdict(set)
    for listing_id, code in db.session.execute(
            select(ListingCertification.listing_id, ListingCertification.code)
            .join(Listing, Listing.id == ListingCertification.listing_id)
            .where(Listing.status == ListingStatus.ACTIVE.value, Listing.category == category,
                   or_(ListingCertification.expires_on.is_(None), ListingCertification.expires_on >= today))):
        certificates[listing_id].add(code)
    supplies, sides = [], {}
    for (id_, unit, left, price, province, stars, minimum, start, end, revision, owner) in rows:
        lat, lon = _point(province)
        supplies.append(Supply(id=id_, category=category, unit=unit, quantity=int(left), unit_price=price, lat=lat,
                               lon=lon, stars=stars, certifications=frozenset(certificates.get(id_, ())),
                               min_order_quantity=minimum, available_from=start, available_until=end))
        sides[id_] = Side(owner, revision)
    return supplies, sides


def load_demands(category: str, today: date) -> tuple[list[Demand], dict[int, Side]]:
    left_over = DemandOrder.quantity - DemandOrder.reserved_quantity - DemandOrder.fulfilled_quantity
    rows = db.session.execute(
        select(DemandOrder.id, DemandOrder.unit, left_over, DemandOrder.max_unit_price,
               DemandOrder.delivery_province_code, DemandOrder.needed_by, DemandOrder.min_stars,
               DemandOrder.allow_split, DemandOrder.revision, DemandOrder.distributor_id)
        .join(User, User.id == DemandOrder.distributor_id)
        .where(DemandOrder.status.in_(_OPEN_ORDER), DemandOrder.category == category, left_over > 0,
               User.status == UserStatus.ACTIVE.value,
               or_(DemandOrder.needed_by.is_(None), DemandOrder.needed_by >= today),
               # An order filled by one listing only is either whole or waiting for one.
               or_(DemandOrder.allow_split.is_(True),
                   DemandOrder.reserved_quantity + DemandOrder.fulfilled_quantity == 0))
        .order_by(DemandOrder.id)).all()
    required = defaultdict(set)
    for order_id, code in db.session.execute(
            select(OrderRequiredCertification.order_id, OrderRequiredCertification.code)
            .join(DemandOrder, DemandOrder.id == OrderRequiredCertification.order_id)
            .where(DemandOrder.status.in_(_OPEN_ORDER), DemandOrder.category == category)):
        required[order_id].add(code)
    demands, sides = [], {}
    for (id_, unit, left, max_price, province, needed_by, min_stars, split, revision, owner) in rows:
        lat, lon = _point(province)
        demands.append(Demand(id=id_, category=category, unit=unit, quantity=int(left), max_unit_price=max_price,
                              lat=lat, lon=lon, needed_by=needed_by, min_stars=min_stars,
                              required_certifications=frozenset(required.get(id_, ())), allow_split=split))
        sides[id_] = Side(owner, revision)
    return demands, sides


def excluded_pairs(category: str) -> set[tuple[int, int]]:
    """Pairs with a live match (one deal per pair at a time), and pairs a
    party declined or an admin rejected while neither side has changed since."""
    rows = db.session.execute(
        select(Match.listing_id, Match.order_id)
        .join(Listing, Listing.id == Match.listing_id)
        .join(DemandOrder, DemandOrder.id == Match.order_id)
        .where(Match.category == category,
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
