"""The match queries behind the pages and the API: each list is one SELECT
with its listing, order and both parties joined in, so a page of matches
costs one query (plus its count) however long it is."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload

from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.models import Match, MatchRun, MatchStatus, User
from marketplace.models.match import RESERVING
from marketplace.models.user import Profile, Role
from marketplace.trade.scope import oversees


def _with_everything(statement: Select) -> Select:
    # The relationships raise on lazy loads: whatever a page shows is loaded here.
    return statement.options(
        joinedload(Match.listing), joinedload(Match.order),
        joinedload(Match.producer).joinedload(User.profile),
        joinedload(Match.distributor).joinedload(User.profile))


# For the admin queue (marketplace/admin/moderation/services.py), which adds its own filters.
with_everything = _with_everything


def party_matches(user: User, status: MatchStatus | None = None, page: int | None = None,
                  per_page: int | None = None) -> Page[Match]:
    """A producer's or distributor's matches, newest first: every match that
    holds or held their stock, proposals under review and rejected ones included."""
    statement = (select(Match).where(or_(Match.producer_id == user.id, Match.distributor_id == user.id))
                 .order_by(Match.created_at.desc(), Match.id.desc()))
    if status is not None:
        statement = statement.where(Match.status == status)
    return paginate(_with_everything(statement), page, per_page)


def visible_match(viewer: User, match_id: int) -> Match | None:
    """One match as ``viewer`` may see it: admins those of their provinces
    (all for the whole country), each party its own in any state (read-only
    while under review); anything else looks missing."""
    match = db.session.scalar(_with_everything(select(Match).where(Match.id == match_id))
                              .execution_options(populate_existing=True))
    if match is None:
        return None
    if viewer.role == Role.ADMIN:
        return match if oversees(viewer, match) else None
    if viewer.id in (match.producer_id, match.distributor_id):
        return match
    return None


@dataclass(frozen=True)
class Holds:
    """What a listing's or order's live matches hold, by how far each got."""
    under_review: int = 0        # proposed: the moderators have not approved yet
    awaiting_answers: int = 0    # approved: waiting for both parties to accept
    confirmed: int = 0           # both accepted: promised in a deal
    shipped: int = 0             # on the way to the buyer, not yet received


def holds(column, ids) -> dict[int, Holds]:
    """Holds by listing (``column`` = Match.listing_id) or order id, in one query."""
    ids = list(ids)
    if not ids:
        return {}
    rows = db.session.execute(select(column, Match.status, func.sum(Match.quantity))
                              .where(column.in_(ids), Match.status.in_([s.value for s in RESERVING]))
                              .group_by(column, Match.status)).all()
    found: dict[int, dict] = {}
    for key, status, quantity in rows:
        slot = {MatchStatus.PROPOSED: "under_review", MatchStatus.APPROVED: "awaiting_answers",
                MatchStatus.CONFIRMED: "confirmed", MatchStatus.SHIPPED: "shipped"}[MatchStatus(status)]
        found.setdefault(key, {})[slot] = int(quantity)
    return {key: Holds(**values) for key, values in found.items()}


def live_matches(column, row_id: int) -> list[Match]:
    """The matches that hold a listing's or order's stock now, oldest first."""
    return list(db.session.scalars(_with_everything(
        select(Match).where(column == row_id, Match.status.in_([s.value for s in RESERVING]))
        .order_by(Match.created_at, Match.id))).unique())


def recent_runs(page: int | None = None, per_page: int | None = None) -> Page[MatchRun]:
    return paginate(select(MatchRun).order_by(MatchRun.created_at.desc(), MatchRun.id.desc()), page, per_page)


def order_matched_share(order) -> float:
    """How much of an order is promised or delivered, 0..1."""
    if not order.quantity:
        return 1.0
    return min(1.0, (order.reserved_quantity + order.fulfilled_quantity) / order.quantity)


def producer_verified():
    """SQL: the match's producer is verified."""
    return exists(select(Profile.id).where(Profile.user_id == Match.producer_id, Profile.verified_at.is_not(None)))
