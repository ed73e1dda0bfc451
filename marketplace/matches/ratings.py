"""After a fulfilled match each party rates the other once: 1 to 5 stars
and a comment, within RATING_DAYS of fulfilment, changeable for a day and
then fixed. Admins hide an abusive review with a reason (audited, the author is told)."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.validation import FieldErrors, InvalidInput, NotAllowed, WrongState
from marketplace.matches.lifecycle import checked_reason, event_details, party_of
from marketplace.models import Match, MatchStatus, Rating, User

RATING_DAYS = 30
EDITABLE_HOURS = 24
COMMENT_MAX = 1000


def rating_by(match: Match, user: User) -> Rating | None:
    return db.session.scalar(select(Rating).where(Rating.match_id == match.id, Rating.author_id == user.id))


def may_rate(match: Match, user: User) -> bool:
    return (party_of(match, user) is not None and match.status == MatchStatus.FULFILLED
            and match.fulfilled_at is not None and utcnow() - match.fulfilled_at <= timedelta(days=RATING_DAYS))


def rate(match: Match, user: User, stars: int | None, comment: str | None) -> Rating:
    """The party's rating of the other; a second call within a day changes it."""
    party = party_of(match, user)
    if party is None:
        raise NotAllowed(_("Only the two parties rate each other."))
    if match.status != MatchStatus.FULFILLED:
        raise WrongState(_("A deal is rated once it is fulfilled."))
    if not may_rate(match, user):
        raise WrongState(_("Ratings are given within %(days)d days of delivery.", days=RATING_DAYS))
    errors = FieldErrors()
    if stars is None or not 1 <= stars <= 5:
        errors.add("stars", _("Give from 1 to 5 stars."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors.add("comment", _("At most %(max)d characters.", max=COMMENT_MAX))
    if errors:
        raise InvalidInput(dict(errors))
    now = utcnow()
    rating = rating_by(match, user)
    if rating is not None:
        if now - rating.created_at > timedelta(hours=EDITABLE_HOURS):
            raise WrongState(_("A rating can be changed for %(hours)d hours only.", hours=EDITABLE_HOURS))
        rating.stars, rating.comment = stars, comment or None
    else:
        subject = match.distributor_id if party == "producer" else match.producer_id
        rating = Rating(match_id=match.id, author_id=user.id, subject_id=subject, stars=stars,
                        comment=comment or None, created_at=now)
        db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise WrongState(_("You have already rated this deal.")) from None
    emit_event("match.rated", target_type="match", target_id=match.id, actor=user,
               **event_details(match, party=party, stars=stars))
    db.session.commit()
    return rating


def hide_rating(rating: Rating, admin: User, reason: str | None) -> Rating:
    reason = checked_reason(reason, required=True)
    if rating.hidden_at is not None:
        raise WrongState(_("This review is already hidden."))
    rating.hidden_at, rating.hidden_reason, rating.hidden_by_id = utcnow(), reason, admin.id
    emit_event("rating.hidden", target_type="rating", target_id=rating.id, actor=admin,
               author_id=rating.author_id, match_id=rating.match_id, reason=reason)
    db.session.commit()
    return rating


def reviews_of(user_id: int, limit: int = 20) -> list[tuple[Rating, str]]:
    """The visible reviews a user received, newest first, with the product's title."""
    from marketplace.models import Listing

    rows = db.session.execute(
        select(Rating, Listing.title).join(Match, Match.id == Rating.match_id)
        .join(Listing, Listing.id == Match.listing_id)
        .where(Rating.subject_id == user_id, Rating.hidden_at.is_(None))
        .order_by(Rating.created_at.desc()).limit(limit)).all()
    return [(rating, title) for rating, title in rows]
