"""A party's own figures for its home page: what was delivered in the last
RECENT_DAYS (quantity per unit, never added across units; value in VND at
the agreed prices) and how many deals are under way."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.models import Match, MatchStatus, User
from marketplace.models.user import Role

RECENT_DAYS = 30
UNDER_WAY = (MatchStatus.APPROVED, MatchStatus.CONFIRMED, MatchStatus.SHIPPED)


@dataclass(frozen=True)
class UnitTotal:
    unit: str
    quantity: int


@dataclass(frozen=True)
class RecentTotals:
    days: int
    deals: int                   # fulfilled in the period
    value: int                   # VND: revenue for a producer, spending for a distributor
    by_unit: list[UnitTotal] = field(default_factory=list)
    under_way: int = 0           # approved, confirmed or shipped now


def recent_totals(user: User, days: int = RECENT_DAYS) -> RecentTotals | None:
    """None for accounts that are not a party to deals (admins)."""
    if user.role == Role.PRODUCER:
        party = Match.producer_id
    elif user.role == Role.DISTRIBUTOR:
        party = Match.distributor_id
    else:
        return None
    since = utcnow() - timedelta(days=days)
    received = func.coalesce(Match.received_quantity, Match.quantity)
    rows = db.session.execute(
        select(Match.unit, func.count(), func.sum(received), func.sum(received * Match.unit_price))
        .where(party == user.id, Match.status == MatchStatus.FULFILLED.value, Match.fulfilled_at >= since)
        .group_by(Match.unit).order_by(Match.unit)).all()
    under_way = db.session.scalar(select(func.count()).select_from(Match).where(
        party == user.id, Match.status.in_([s.value for s in UNDER_WAY])))
    return RecentTotals(days=days, deals=sum(int(n) for _u, n, _q, _v in rows),
                        value=sum(int(v or 0) for *_rest, v in rows),
                        by_unit=[UnitTotal(unit, int(q or 0)) for unit, _n, q, _v in rows],
                        under_way=int(under_way or 0))
