"""The moderation queue: proposed matches with filters, each producer's
track record, standard reasons for rejecting, and bulk approve / reject.

Every approval and rejection goes through ``marketplace.matches.lifecycle``
one match at a time, so each one is audited and announced exactly as a
single action is; a match another admin handled first is reported, not an
error.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select

from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.core.validation import FieldErrors, InvalidInput, WrongState
from marketplace.geo import resolve_province
from marketplace.matches import lifecycle
from marketplace.matches.search import producer_verified, with_everything
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, User
from marketplace.trade.browse import category_clause
from marketplace.trade.scope import is_scoped, oversees, within

BULK_MAX = 100
ACTIONS = ("approve", "reject")

# The standard reasons for rejecting a proposal, in the order a form lists them.
REJECT_REASONS: dict[str, object] = {
    "price": _l("Price far from the market"),
    "quantity_quality": _l("Quantity or quality in doubt"),
    "unverified": _l("Producer not verified"),
    "suspicious": _l("Duplicate or suspicious"),
    "other": _l("Other"),
}


@dataclass(frozen=True)
class QueueFilters:
    category: str | None = None          # a sub-category, or a group for all of its sub-categories
    province: str | None = None          # a province code: the listing's OR the order's delivery province
    max_score: float | None = None       # 0..1; only proposals scoring strictly below it
    unverified_only: bool = False        # only proposals whose producer is not verified

    @property
    def active(self) -> bool:
        return bool(self.category or self.province or self.max_score is not None or self.unverified_only)


@dataclass(frozen=True)
class History:
    """A producer's record over all their matches."""
    fulfilled: int = 0
    cancelled: int = 0


def check_filters(category: str | None = None, province: str | None = None, max_score: float | None = None,
                  unverified_only: bool = False) -> QueueFilters:
    """The filters as the queue query takes them; InvalidInput names each bad one."""
    errors = FieldErrors()
    category = (category or "").strip() or None
    if category:
        category_clause(Match.category, category, errors)
    code = None
    if (province or "").strip():
        found = resolve_province(province)
        if found is None:
            errors.add("province", _("Unknown province. Type a province or city name, e.g. Cần Thơ."))
        else:
            code = found.code
    if max_score is not None and not 0 <= max_score <= 1:
        errors.add("max_score", _("Enter a score from 0 to 100."))
    if errors:
        raise InvalidInput(dict(errors))
    return QueueFilters(category=category, province=code, max_score=max_score, unverified_only=bool(unverified_only))


def proposal_queue(filters: QueueFilters = QueueFilters(), page: int | None = None, per_page: int | None = None,
                   status: MatchStatus | None = MatchStatus.PROPOSED, viewer: User | None = None) -> Page[Match]:
    """Proposed matches (or those in ``status``; None: all), oldest first,
    narrowed by ``filters`` and to the provinces ``viewer`` oversees."""
    statement = within(select(Match).order_by(Match.created_at.asc(), Match.id.asc()), viewer, Match)
    if status is not None:
        statement = statement.where(Match.status == status.value)
    if filters.category:
        statement = statement.where(category_clause(Match.category, filters.category, FieldErrors()))
    if filters.province:
        listing_in = exists(select(Listing.id).where(Listing.id == Match.listing_id,
                                                     Listing.province_code == filters.province))
        delivered_to = exists(select(DemandOrder.id).where(DemandOrder.id == Match.order_id,
                                                           DemandOrder.delivery_province_code == filters.province))
        statement = statement.where(or_(listing_in, delivered_to))
    if filters.max_score is not None:
        statement = statement.where(Match.score < filters.max_score)
    if filters.unverified_only:
        statement = statement.where(~producer_verified())
    return paginate(with_everything(statement), page, per_page)


def producer_histories(producer_ids) -> dict[int, History]:
    """Fulfilled and cancelled matches of each producer, over all their
    matches: one GROUP BY for the whole page."""
    ids = sorted(set(producer_ids))
    if not ids:
        return {}
    counted = (MatchStatus.FULFILLED.value, MatchStatus.CANCELLED.value)
    rows = db.session.execute(
        select(Match.producer_id, Match.status, func.count(Match.id))
        .where(Match.producer_id.in_(ids), Match.status.in_(counted))
        .group_by(Match.producer_id, Match.status)).all()
    figures = {pid: {"fulfilled": 0, "cancelled": 0} for pid in ids}
    for producer_id, status, count in rows:
        figures[producer_id][getattr(status, "value", status)] = count
    return {pid: History(**values) for pid, values in figures.items()}


class QueueEntry:
    """A match with what the moderators see besides it: the producer's record
    and verified flag (the API's AdminMatchSchema reads these)."""

    def __init__(self, match: Match, history: History):
        self._match, self.producer_history = match, history

    def __getattr__(self, name):
        return getattr(self._match, name)

    @property
    def producer_verified(self) -> bool:
        profile = self._match.producer.profile
        return bool(profile and profile.verified_at)


def with_histories(matches) -> list[QueueEntry]:
    histories = producer_histories(m.producer_id for m in matches)
    return [QueueEntry(m, histories.get(m.producer_id, History())) for m in matches]


def reject_reason(code: str | None, text: str | None) -> str:
    """The stored reason: the standard reason's label, then the admin's words.
    "Other" needs words; no code at all takes the words alone."""
    text = (text or "").strip()
    code = (code or "").strip() or None
    if code is None:
        if not text:
            raise InvalidInput({"reason": _("Please give a reason.")})
        return text
    if code not in REJECT_REASONS:
        raise InvalidInput({"reason_code": _("Not a valid choice.")})
    if code == "other" and not text:
        raise InvalidInput({"reason": _("Say why in a few words when the reason is “Other”.")})
    label = str(REJECT_REASONS[code])
    return f"{label}: {text}" if text else label


@dataclass(frozen=True)
class Outcome:
    id: int
    ok: bool
    error: str | None = None
    stale: bool = False      # it was no longer waiting: another admin (or the policy) handled it
    missing: bool = False


def moderate_many(ids, action: str, admin: User, reason_code: str | None = None,
                  reason: str | None = None) -> list[Outcome]:
    """Approve or reject each of ``ids`` (at most 100) in turn, one lifecycle
    call each. A rejection's reason is checked once, before anything changes."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    if action not in ACTIONS:
        raise InvalidInput({"action": _("Not a valid choice.")})
    if not ids:
        raise InvalidInput({"ids": _("Select at least one proposal.")})
    if len(ids) > BULK_MAX:
        raise InvalidInput({"ids": _("At most %(max)d at a time.", max=BULK_MAX)})
    stored_reason = reject_reason(reason_code, reason) if action == "reject" else None
    if stored_reason is not None and len(stored_reason) > lifecycle.REASON_MAX:
        raise InvalidInput({"reason": _("At most %(max)d characters.", max=lifecycle.REASON_MAX)})
    outcomes = []
    for match_id in ids:
        match = db.session.get(Match, match_id, populate_existing=True)
        # Outside the admin's provinces reads exactly as a missing id, and is said so.
        if match is None or not oversees(admin, match):
            error = _("No such match in your provinces.") if is_scoped(admin) else _("No such match.")
            outcomes.append(Outcome(match_id, False, error, missing=True))
            continue
        try:
            if action == "approve":
                lifecycle.approve(match, admin)
            else:
                lifecycle.reject(match, admin, stored_reason)
        except WrongState as error:
            outcomes.append(Outcome(match_id, False, error.message, stale=True))
        else:
            outcomes.append(Outcome(match_id, True))
    return outcomes
