"""The auto-approval policy, applied: off unless an admin switches it on
(admin/ changes its settings; this module reads and applies them).

The worker calls ``apply_to_run`` right after a run part's proposals are
committed. The policy row is read afresh on every call, so an admin who
switches it off stops it for the very next batch. Each proposal it approves
goes through ``lifecycle.approve(match, None, by_policy=True)``: stored with
``approved_by_policy`` and audited with the actor label "policy".

Good standing, as the policy page states it: the account is active (not
suspended), and it ended fewer than ``STANDING_MAX_REFUSALS`` matches itself
(cancelled or declined them) in the last ``STANDING_DAYS`` days.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.core.validation import WrongState
from marketplace.matches import lifecycle
from marketplace.matches.search import producer_verified
from marketplace.models import Match, MatchStatus, User
from marketplace.models.policy import POLICY_ID, ApprovalPolicy
from marketplace.models.user import UserStatus

log = logging.getLogger(__name__)

STANDING_DAYS = 90
STANDING_MAX_REFUSALS = 3
SETTINGS = ("enabled", "min_score", "require_verified_producer", "require_good_standing")


@dataclass(frozen=True)
class Policy:
    enabled: bool = False
    min_score: float = 0.8
    require_verified_producer: bool = True
    require_good_standing: bool = True
    updated_at: object = None
    updated_by_id: int | None = None

    def settings(self) -> dict:
        return {name: getattr(self, name) for name in SETTINGS}


def current_policy() -> Policy:
    """The policy as stored now (no row: the defaults, switched off)."""
    row = db.session.scalar(select(ApprovalPolicy).where(ApprovalPolicy.id == POLICY_ID)
                            .execution_options(populate_existing=True))
    if row is None:
        return Policy()
    return Policy(enabled=bool(row.enabled), min_score=float(row.min_score),
                  require_verified_producer=bool(row.require_verified_producer),
                  require_good_standing=bool(row.require_good_standing), updated_at=row.updated_at,
                  updated_by_id=row.updated_by_id)


def in_bad_standing():
    """SQL: ids of accounts that ended too many matches themselves lately."""
    ended = aliased(Match)
    since = utcnow() - timedelta(days=STANDING_DAYS)
    return (select(ended.closed_by_id)
            .where(ended.status.in_([MatchStatus.CANCELLED.value, MatchStatus.DECLINED.value]),
                   ended.closed_at >= since, ended.closed_by_id.is_not(None))
            .group_by(ended.closed_by_id).having(func.count(ended.id) >= STANDING_MAX_REFUSALS))


def qualifying(policy: Policy, statement):
    """Narrows a SELECT of proposals to those the policy approves."""
    statement = statement.where(Match.status == MatchStatus.PROPOSED.value, Match.score >= policy.min_score)
    if policy.require_verified_producer:
        statement = statement.where(producer_verified())
    if policy.require_good_standing:
        inactive = select(User.id).where(User.status != UserStatus.ACTIVE.value)
        bad = in_bad_standing()
        for party in (Match.producer_id, Match.distributor_id):
            statement = statement.where(party.not_in(inactive), party.not_in(bad))
    return statement


def apply_policy(statement) -> int:
    """Approves, by the policy, the proposals of ``statement`` (a SELECT of
    Match ids) that qualify now. Returns how many it approved."""
    policy = current_policy()
    if not policy.enabled:
        db.session.rollback()
        return 0
    ids = db.session.scalars(qualifying(policy, statement).order_by(Match.id)).all()
    approved = 0
    for match_id in ids:
        match = db.session.get(Match, match_id, populate_existing=True)
        if match is None:
            continue
        try:
            lifecycle.approve(match, None, by_policy=True)
        except WrongState:
            continue  # an admin got to it first
        approved += 1
    return approved


def apply_to_run(run_id: int, categories) -> int:
    """The worker's hook: the policy over the proposals a run part (or batch)
    just wrote. A failure here leaves them proposed for the moderators and
    never fails the run that is already written."""
    try:
        return apply_policy(select(Match.id).where(Match.run_id == run_id, Match.category.in_(list(categories))))
    except Exception:
        db.session.rollback()
        log.exception("Auto-approval failed for run %s; the proposals wait for moderation", run_id)
        return 0
