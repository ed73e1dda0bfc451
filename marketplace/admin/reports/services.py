"""The figures of the supply and demand dashboard, one small function each.

Everything is aggregated in SQL (GROUP BY); Python only reshapes the grouped
rows. Quantities are never added across units: every quantity figure is
keyed by its base unit (kg, l, bottle ...). The same functions feed the
admin page, /api/v1/admin/dashboard and the unmet-demand CSV.

Definitions (the page states them in words):
- supply: live listings (active or sold out) of producers who are not
  suspended; quantity on offer = quantity - reserved;
- demand: live orders (open or partly matched) of distributors who are not
  suspended; open quantity = quantity - reserved - fulfilled;
- unmet demand / surplus of a province: per category and unit, open demand
  delivered to the province beyond the supply on offer in that province,
  and the other way round; then added up per unit;
- fill rate: of the orders posted in the period (whatever their status
  now) by distributors who are not suspended, the quantity that confirmed or delivered matches cover, per unit,
  and the share of those orders covered in full;
  delivered counts only what buyers marked received;
- time to confirm: over the matches confirmed in the period, the median of
  (confirmed at - the order's posting time); time to deliver likewise over
  the matches fulfilled in the period, up to the receipt.

For a scoped admin (``viewer``) each figure counts only what touches their
provinces (trade.scope): listings by their province, orders by their delivery
province, matches by either. Runs are national and listed as they are.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import noload

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.matches.runs import run_totals
from marketplace.models import (
    DemandOrder,
    Listing,
    ListingStatus,
    Match,
    MatchRun,
    MatchStatus,
    OrderStatus,
    User,
)
from marketplace.models.user import UserStatus
from marketplace.trade.scope import within

LIVE_LISTINGS = (ListingStatus.ACTIVE, ListingStatus.SOLD_OUT)
LIVE_ORDERS = (OrderStatus.OPEN, OrderStatus.PARTIALLY_MATCHED)
FILLED = (MatchStatus.CONFIRMED, MatchStatus.SHIPPED, MatchStatus.FULFILLED)
PERIODS = (7, 30, 90, 0)        # days; 0 is all time
DEFAULT_DAYS = 30
MAX_DAYS = 3660
RECENT_RUNS = 5


@dataclass(frozen=True)
class Period:
    days: int                   # 0: all time
    since: datetime | None
    until: datetime

    @classmethod
    def last(cls, days: int, now: datetime | None = None) -> Period:
        now = now or utcnow()
        return cls(days, now - timedelta(days=days) if days else None, now)


@dataclass(frozen=True)
class Group:
    """Live rows of one side for one (category, province, unit)."""
    category: str
    province: str
    unit: str
    count: int
    quantity: int


def live_supply(viewer: User | None = None) -> list[Group]:
    """Listings on offer, grouped by (category, province, unit)."""
    available = func.sum(Listing.quantity - Listing.reserved_quantity)
    rows = db.session.execute(
        within(select(Listing.category, Listing.province_code, Listing.unit, func.count(), available), viewer, Listing)
        .join(User, User.id == Listing.producer_id)
        .where(Listing.status.in_(LIVE_LISTINGS), User.status == UserStatus.ACTIVE)
        .group_by(Listing.category, Listing.province_code, Listing.unit))
    return [Group(c, p, u, n, int(q or 0)) for c, p, u, n, q in rows]


def open_demand(viewer: User | None = None) -> list[Group]:
    """Orders still wanting something, grouped by (category, delivery province, unit)."""
    wanted = func.sum(DemandOrder.quantity - DemandOrder.reserved_quantity - DemandOrder.fulfilled_quantity)
    rows = db.session.execute(
        within(select(DemandOrder.category, DemandOrder.delivery_province_code, DemandOrder.unit, func.count(),
                      wanted), viewer, DemandOrder)
        .join(User, User.id == DemandOrder.distributor_id)
        .where(DemandOrder.status.in_(LIVE_ORDERS), User.status == UserStatus.ACTIVE)
        .group_by(DemandOrder.category, DemandOrder.delivery_province_code, DemandOrder.unit))
    return [Group(c, p, u, n, int(q or 0)) for c, p, u, n, q in rows]


@dataclass
class UnitFigures:
    unit: str
    supply: int = 0
    demand: int = 0


@dataclass
class SideBySide:
    """Supply and demand of one category or one province: counts of rows
    (these add up across units) and quantities per unit (these never do)."""
    code: str
    listings: int = 0
    orders: int = 0
    units: dict[str, UnitFigures] = field(default_factory=dict)

    def unit(self, code: str) -> UnitFigures:
        return self.units.setdefault(code, UnitFigures(code))

    @property
    def quantities(self) -> list[UnitFigures]:
        return [self.units[code] for code in sorted(self.units)]


def side_by_side(supply: list[Group], demand: list[Group], key: str) -> list[SideBySide]:
    """Supply against demand per ``key`` ("category" or "province"), sorted by code."""
    found: dict[str, SideBySide] = {}
    for group in supply:
        row = found.setdefault(getattr(group, key), SideBySide(getattr(group, key)))
        row.listings += group.count
        row.unit(group.unit).supply += group.quantity
    for group in demand:
        row = found.setdefault(getattr(group, key), SideBySide(getattr(group, key)))
        row.orders += group.count
        row.unit(group.unit).demand += group.quantity
    return [found[code] for code in sorted(found)]


@dataclass(frozen=True)
class Gap:
    """Open demand delivered to a province against supply on offer there,
    for one category and unit. ``unmet`` and ``surplus`` are never both > 0."""
    province: str
    category: str
    unit: str
    orders: int
    demand: int
    listings: int
    supply: int

    @property
    def unmet(self) -> int:
        return max(self.demand - self.supply, 0)

    @property
    def surplus(self) -> int:
        return max(self.supply - self.demand, 0)


def gaps(supply: list[Group], demand: list[Group]) -> list[Gap]:
    """Every (province, category, unit) with supply or demand, sorted."""
    sides: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for group in demand:
        cell = sides[(group.province, group.category, group.unit)]
        cell[0] += group.count
        cell[1] += group.quantity
    for group in supply:
        cell = sides[(group.province, group.category, group.unit)]
        cell[2] += group.count
        cell[3] += group.quantity
    return [Gap(p, c, u, *sides[(p, c, u)]) for p, c, u in sorted(sides)]


@dataclass
class Balance:
    """A province's unmet demand and surplus in one unit, summed over categories."""
    province: str
    unit: str
    demand: int = 0
    supply: int = 0
    unmet: int = 0
    surplus: int = 0


def balance_by_province(all_gaps: list[Gap]) -> list[Balance]:
    found: dict[tuple[str, str], Balance] = {}
    for gap in all_gaps:
        row = found.setdefault((gap.province, gap.unit), Balance(gap.province, gap.unit))
        row.demand += gap.demand
        row.supply += gap.supply
        row.unmet += gap.unmet
        row.surplus += gap.surplus
    return [found[key] for key in sorted(found)]


@dataclass(frozen=True)
class UnitFill:
    unit: str
    orders: int
    orders_filled: int
    ordered: int
    filled: int
    delivered: int = 0

    @property
    def share(self) -> float | None:
        return self.filled / self.ordered if self.ordered else None

    @property
    def delivered_share(self) -> float | None:
        return self.delivered / self.ordered if self.ordered else None


@dataclass(frozen=True)
class FillRate:
    by_unit: list[UnitFill]

    @property
    def orders(self) -> int:
        return sum(u.orders for u in self.by_unit)

    @property
    def orders_filled(self) -> int:
        return sum(u.orders_filled for u in self.by_unit)

    @property
    def orders_share(self) -> float | None:
        return self.orders_filled / self.orders if self.orders else None


def fill_rate(period: Period, viewer: User | None = None) -> FillRate:
    """Orders posted in the period by distributors in good standing: quantity covered by confirmed or
    delivered matches, per unit, and how many orders are covered in full."""
    # A delivered match counts with what arrived, not with what was agreed.
    counted = case((Match.status == MatchStatus.FULFILLED.value, func.coalesce(Match.received_quantity, Match.quantity)),
                   else_=Match.quantity)
    received = case((Match.status == MatchStatus.FULFILLED.value, counted), else_=0)
    covered = (select(Match.order_id, func.sum(counted).label("quantity"), func.sum(received).label("received"))
               .where(Match.status.in_(FILLED)).group_by(Match.order_id).subquery())
    filled = func.coalesce(covered.c.quantity, 0)
    statement = (
        select(DemandOrder.unit, func.count(), func.sum(case((filled >= DemandOrder.quantity, 1), else_=0)),
               func.sum(DemandOrder.quantity), func.sum(filled), func.sum(func.coalesce(covered.c.received, 0)))
        .join(User, User.id == DemandOrder.distributor_id)
        .outerjoin(covered, covered.c.order_id == DemandOrder.id)
        .where(User.status == UserStatus.ACTIVE, DemandOrder.created_at <= period.until)
        .group_by(DemandOrder.unit).order_by(DemandOrder.unit))
    if period.since is not None:
        statement = statement.where(DemandOrder.created_at >= period.since)
    statement = within(statement, viewer, DemandOrder)
    return FillRate([UnitFill(unit, n, int(full or 0), int(ordered or 0), int(done or 0), int(arrived or 0))
                     for unit, n, full, ordered, done, arrived in db.session.execute(statement)])


@dataclass(frozen=True)
class TimeToConfirm:
    matches: int
    median_seconds: float | None


def _in(moment: datetime | None, period: Period) -> bool:
    return moment is not None and moment <= period.until and (period.since is None or moment >= period.since)


def _median(waits: list[float]) -> TimeToConfirm:
    return TimeToConfirm(len(waits), statistics.median(waits) if waits else None)


def waits(period: Period, viewer: User | None = None) -> tuple[TimeToConfirm, TimeToConfirm]:
    """Median of (confirmed - order posted) over the matches confirmed in
    the period, and of (received - order posted) over those fulfilled in it.
    One query reads the timestamps: the median itself is not portable SQL
    (SQLite has no percentile_cont)."""
    reached = db.or_(Match.confirmed_at <= period.until, Match.fulfilled_at <= period.until)
    if period.since is not None:
        reached = db.or_(Match.confirmed_at.between(period.since, period.until),
                         Match.fulfilled_at.between(period.since, period.until))
    rows = db.session.execute(within(select(Match.confirmed_at, Match.fulfilled_at, DemandOrder.created_at)
                                     .join(DemandOrder, DemandOrder.id == Match.order_id).where(reached),
                                     viewer, Match)).all()
    confirmed = [(c - posted).total_seconds() for c, _f, posted in rows if _in(c, period)]
    delivered = [(f - posted).total_seconds() for _c, f, posted in rows if _in(f, period)]
    return _median(confirmed), _median(delivered)


@dataclass(frozen=True)
class Moderation:
    waiting: int
    oldest_since: datetime | None
    # Shipped longer ago than RECEIPT_OVERDUE_DAYS and not marked received.
    receipts_overdue: int = 0


def moderation_backlog(viewer: User | None = None) -> Moderation:
    overdue_since = utcnow() - timedelta(days=current_app.config["RECEIPT_OVERDUE_DAYS"])
    proposed = Match.status == MatchStatus.PROPOSED.value
    overdue = db.and_(Match.status == MatchStatus.SHIPPED.value, Match.shipped_at < overdue_since)
    count, oldest, late = db.session.execute(within(
        select(func.sum(case((proposed, 1), else_=0)), func.min(case((proposed, Match.created_at))),
               func.sum(case((overdue, 1), else_=0)))
        .where(Match.status.in_([MatchStatus.PROPOSED.value, MatchStatus.SHIPPED.value])), viewer, Match)).one()
    return Moderation(int(count or 0), oldest, int(late or 0))


def recent_runs(limit: int = RECENT_RUNS) -> list[dict]:
    runs = db.session.scalars(select(MatchRun).options(noload(MatchRun.parts))
                              .order_by(MatchRun.created_at.desc(), MatchRun.id.desc()).limit(limit)).all()
    return [run_totals(run) for run in runs]


@dataclass(frozen=True)
class Dashboard:
    period: Period
    by_category: list[SideBySide]
    by_province: list[SideBySide]
    balance: list[Balance]
    fill: FillRate
    to_confirm: TimeToConfirm
    to_deliver: TimeToConfirm
    moderation: Moderation
    runs: list[dict]

    @property
    def units(self) -> list[str]:
        """Every unit with supply or demand, for one chart each."""
        return sorted({u for row in self.by_category for u in row.units})


def dashboard(days: int = DEFAULT_DAYS, viewer: User | None = None) -> Dashboard:
    period = Period.last(days)
    supply, demand = live_supply(viewer), open_demand(viewer)
    to_confirm, to_deliver = waits(period, viewer)
    return Dashboard(period=period, by_category=side_by_side(supply, demand, "category"),
                     by_province=side_by_side(supply, demand, "province"),
                     balance=balance_by_province(gaps(supply, demand)), fill=fill_rate(period, viewer),
                     to_confirm=to_confirm, to_deliver=to_deliver, moderation=moderation_backlog(viewer),
                     runs=recent_runs())


def requested_days(value) -> int:
    """The period a page asked for; anything unusable is the default."""
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if 0 <= days <= MAX_DAYS else DEFAULT_DAYS
