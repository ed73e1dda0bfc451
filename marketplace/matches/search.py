"""The match queries behind the pages and the API: each list is one SELECT
with its listing, order and both parties joined in, so a page of matches
costs one query (plus its count) however long it is."""
from __future__ import annotations

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import joinedload

from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.models import Match, MatchRun, MatchStatus, User
from marketplace.models.user import Profile, Role


def _with_everything(statement: Select) -> Select:
    # The relationships raise on lazy loads: whatever a page shows is loaded here.
    return statement.options(
        joinedload(Match.listing), joinedload(Match.order),
        joinedload(Match.producer).joinedload(User.profile),
        joinedload(Match.distributor).joinedload(User.profile))


# For the admin queue (marketplace/admin/moderation.py), which adds its own filters.
with_everything = _with_everything


def _seen_by_parties():
    # A proposal is the moderators' until approved; one rejected (or expired,
    # or cancelled) before approval never reached the parties at all.
    return Match.approved_at.is_not(None)


def party_matches(user: User, status: MatchStatus | None = None, page: int | None = None,
                  per_page: int | None = None) -> Page[Match]:
    """A producer's or distributor's matches, newest first."""
    statement = (select(Match).where(or_(Match.producer_id == user.id, Match.distributor_id == user.id),
                                     _seen_by_parties())
                 .order_by(Match.created_at.desc(), Match.id.desc()))
    if status is not None:
        statement = statement.where(Match.status == status)
    return paginate(_with_everything(statement), page, per_page)


def matches_by_status(status: MatchStatus | None = MatchStatus.PROPOSED, page: int | None = None,
                      per_page: int | None = None) -> Page[Match]:
    """The moderators' queue: oldest first, so nothing waits forever."""
    statement = select(Match).order_by(Match.created_at.asc(), Match.id.asc())
    if status is not None:
        statement = statement.where(Match.status == status)
    return paginate(_with_everything(statement), page, per_page)


def visible_match(viewer: User, match_id: int) -> Match | None:
    """One match as ``viewer`` may see it: admins see all, each party its own
    once approved; anything else looks missing."""
    match = db.session.scalar(_with_everything(select(Match).where(Match.id == match_id))
                              .execution_options(populate_existing=True))
    if match is None:
        return None
    if viewer.role == Role.ADMIN:
        return match
    if viewer.id in (match.producer_id, match.distributor_id) and match.approved_at is not None:
        return match
    return None


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
