"""A user's track record, and a producer's reliability for the engine.

reliability = (PRIOR_WEIGHT * 0.5 + sum of outcomes) / (PRIOR_WEIGHT + number of outcomes)

where each fulfilled deal is an outcome of 1 if on time and 0.5 if late, each
deal the producer cancelled after both sides accepted is 0, and each visible
rating is (stars - 1) / 4. The prior counts as PRIOR_WEIGHT neutral outcomes:
a new producer starts at 0.5 (not last), and one bad review moves a new
producer to 0.4, not to the bottom. One grouped query per table for any number
of producers, so a run pays two queries for all its listings.
"""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from sqlalchemy import case, func, select

from marketplace.core.extensions import db
from marketplace.models import Match, MatchStatus, Rating

PRIOR_WEIGHT = 4
NEUTRAL = 0.5


@dataclass(frozen=True)
class Reputation:
    rating_average: float | None
    rating_count: int
    deals_fulfilled: int
    on_time_rate: float | None
    cancel_rate: float | None
    response_hours_median: float | None
    reliability: float


def _deal_counts(user_ids, as_producer: bool):
    party = Match.producer_id if as_producer else Match.distributor_id
    fulfilled = func.sum(case((Match.status == MatchStatus.FULFILLED.value, 1), else_=0))
    on_time = func.sum(case((db.and_(Match.status == MatchStatus.FULFILLED.value, Match.on_time.is_(True)), 1),
                            else_=0))
    # Called off by this party after both had accepted: the failures a buyer feels.
    cancelled = func.sum(case((db.and_(Match.status == MatchStatus.CANCELLED.value, Match.closed_by_id == party,
                                       Match.confirmed_at.is_not(None)), 1), else_=0))
    committed = func.sum(case((Match.confirmed_at.is_not(None), 1), else_=0))
    rows = db.session.execute(select(party, fulfilled, on_time, cancelled, committed)
                              .where(party.in_(list(user_ids))).group_by(party)).all()
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


def _rating_sums(user_ids):
    rows = db.session.execute(select(Rating.subject_id, func.count(Rating.id), func.sum(Rating.stars))
                              .where(Rating.subject_id.in_(list(user_ids)), Rating.hidden_at.is_(None))
                              .group_by(Rating.subject_id)).all()
    return {row[0]: (int(row[1]), int(row[2] or 0)) for row in rows}


def _reliability(fulfilled: int, on_time: int, cancelled: int, ratings: int, stars: int) -> float:
    outcomes = on_time + 0.5 * (fulfilled - on_time) + (stars - ratings) / 4
    return round((PRIOR_WEIGHT * NEUTRAL + outcomes) / (PRIOR_WEIGHT + fulfilled + cancelled + ratings), 4)


def reliabilities(producer_ids) -> dict[int, float]:
    """Every given producer's reliability (NEUTRAL for those with no record)."""
    ids = set(producer_ids)
    if not ids:
        return {}
    deals, ratings = _deal_counts(ids, as_producer=True), _rating_sums(ids)
    out = {}
    for user_id in ids:
        fulfilled, on_time, cancelled, _committed = deals.get(user_id, (0, 0, 0, 0))
        count, stars = ratings.get(user_id, (0, 0))
        out[user_id] = _reliability(fulfilled, on_time, cancelled, count, stars)
    return out


def reputation(user_id: int, as_producer: bool) -> Reputation:
    fulfilled, on_time, cancelled, committed = _deal_counts([user_id], as_producer).get(user_id, (0, 0, 0, 0))
    count, stars = _rating_sums([user_id]).get(user_id, (0, 0))
    party = Match.producer_id if as_producer else Match.distributor_id
    accepted = Match.producer_accepted_at if as_producer else Match.distributor_accepted_at
    answers = db.session.execute(select(Match.approved_at, accepted).where(
        party == user_id, Match.approved_at.is_not(None), accepted.is_not(None))).all()
    hours = [(answered - approved).total_seconds() / 3600 for approved, answered in answers]
    return Reputation(
        rating_average=round(stars / count, 2) if count else None, rating_count=count,
        deals_fulfilled=fulfilled, on_time_rate=round(on_time / fulfilled, 3) if fulfilled else None,
        cancel_rate=round(cancelled / committed, 3) if committed else None,
        response_hours_median=round(median(hours), 1) if hours else None,
        reliability=_reliability(fulfilled, on_time, cancelled, count, stars) if as_producer else NEUTRAL)
