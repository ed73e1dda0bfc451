"""Admin use cases on accounts: search, verify a producer, suspend and
reinstate. Each use case commits once; every one emits its event (audit row
and notification) in the same transaction as the change it describes."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload

from marketplace.auth.services import ProfileChange, apply_profile_change
from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.geo import fold
from marketplace.matches.lifecycle import cancel_open_matches, checked_reason
from marketplace.models import ApiToken, DemandOrder, Listing, Match, Profile, User
from marketplace.models.match import RESERVING
from marketplace.models.user import Role, UserStatus, new_session_token, same_certificate
from marketplace.trade.scope import oversees, within

QUERY_MAX = 120
CERTIFICATE_MAX = 60
RECENT_LIMIT = 50


# -- search -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class UserFilters:
    q: str = ""
    role: Role | None = None
    status: UserStatus | None = None
    unverified: bool = False


def search_users(filters: UserFilters, page: int | None = None, per_page: int | None = None,
                 viewer: User | None = None) -> Page[User]:
    """Accounts ``viewer`` oversees (see trade.scope), newest first: ``q`` is
    found in the e-mail, display name, phone or OCOP certificate number."""
    statement = (within(select(User), viewer, User).outerjoin(Profile, Profile.user_id == User.id)
                 .options(contains_eager(User.profile)))
    q = (filters.q or "").strip()[:QUERY_MAX].lower()
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        conditions = [func.lower(User.email).contains(q, autoescape=True),
                      func.lower(Profile.display_name).contains(q, autoescape=True),
                      Profile.search_name.contains(fold(q), autoescape=True),
                      func.lower(Profile.ocop_certificate_no).contains(q, autoescape=True),
                      Profile.phone.contains(q, autoescape=True)]
        if digits and len(digits) >= 3:
            # "0912 345 678" finds 0912345678 and the other way round.
            conditions.append(func.replace(Profile.phone, " ", "").contains(digits, autoescape=True))
        statement = statement.where(or_(*conditions))
    if filters.role is not None:
        statement = statement.where(User.role == filters.role)
    if filters.status is not None:
        statement = statement.where(User.status == filters.status)
    if filters.unverified:
        statement = statement.where(User.role == Role.PRODUCER, Profile.verified_at.is_(None))
    return paginate(statement.order_by(User.created_at.desc(), User.id.desc()), page, per_page)


# -- one account --------------------------------------------------------------------------------

@dataclass
class AccountDetail:
    user: User
    verified_by: User | None
    listings: list[Listing]
    listing_total: int
    orders: list[DemandOrder]
    order_total: int
    match_counts: dict[str, int] = field(default_factory=dict)
    open_matches: int = 0


def find_user(user_id: int, viewer: User | None = None) -> User | None:
    """The account, or None when it does not exist or ``viewer`` (an admin) does not oversee it."""
    user = db.session.scalar(select(User).options(joinedload(User.profile)).where(User.id == user_id)
                             .execution_options(populate_existing=True))
    return user if user is not None and (viewer is None or oversees(viewer, user)) else None


def match_counts(user_id: int) -> dict[str, int]:
    """The account's matches by status, e.g. {"fulfilled": 3, "cancelled": 1}."""
    rows = db.session.execute(
        select(Match.status, func.count(Match.id))
        .where(or_(Match.producer_id == user_id, Match.distributor_id == user_id))
        .group_by(Match.status)).all()
    return {getattr(status, "value", status): count for status, count in rows}


def open_match_count(user_id: int) -> int:
    """Matches a suspension would cancel: those still holding stock."""
    return db.session.scalar(
        select(func.count(Match.id))
        .where(Match.status.in_([s.value for s in RESERVING]),
               or_(Match.producer_id == user_id, Match.distributor_id == user_id))) or 0


def account_detail(user_id: int, viewer: User | None = None) -> AccountDetail | None:
    user = find_user(user_id, viewer)
    if user is None:
        return None
    verifier = None
    if user.profile is not None and user.profile.verified_by_id:
        verifier = db.session.scalar(select(User).options(joinedload(User.profile))
                                     .where(User.id == user.profile.verified_by_id))
    listings = db.session.scalars(select(Listing).where(Listing.producer_id == user.id)
                                  .order_by(Listing.created_at.desc(), Listing.id.desc())
                                  .limit(RECENT_LIMIT)).all()
    orders = db.session.scalars(select(DemandOrder).where(DemandOrder.distributor_id == user.id)
                                .order_by(DemandOrder.created_at.desc(), DemandOrder.id.desc())
                                .limit(RECENT_LIMIT)).all()
    listing_total = db.session.scalar(select(func.count(Listing.id)).where(Listing.producer_id == user.id))
    order_total = db.session.scalar(select(func.count(DemandOrder.id))
                                    .where(DemandOrder.distributor_id == user.id))
    return AccountDetail(user=user, verified_by=verifier, listings=list(listings), listing_total=listing_total,
                         orders=list(orders), order_total=order_total, match_counts=match_counts(user.id),
                         open_matches=open_match_count(user.id))


# -- verification -------------------------------------------------------------------------------

def verify_producer(user: User, admin: User, certificate_no: str | None) -> User:
    """Records that ``admin`` checked the producer's OCOP certificate number.

    The number the admin typed must be the one the producer gave: what was
    checked is stored with who checked it and when."""
    profile = user.profile
    if user.role != Role.PRODUCER or profile is None:
        raise WrongState(_("Only producers can be verified."))
    if not (profile.ocop_certificate_no or "").strip():
        raise WrongState(_("This producer has not given an OCOP certificate number yet."))
    if profile.verified_at is not None:
        raise WrongState(_("This producer is already verified."))
    typed = (certificate_no or "").strip()
    if not typed:
        raise InvalidInput({"certificate_no": _("Type the certificate number you checked.")})
    if len(typed) > CERTIFICATE_MAX:
        raise InvalidInput({"certificate_no": _("At most %(max)d characters.", max=CERTIFICATE_MAX)})
    if not same_certificate(typed, profile.ocop_certificate_no):
        raise InvalidInput({"certificate_no": _(
            "This is not the number the producer gave (%(number)s). Check the certificate again.",
            number=profile.ocop_certificate_no)})
    number = profile.ocop_certificate_no
    now = utcnow()
    # Conditional: of two admins verifying at once, one records it; the
    # number must still be the one checked.
    result = db.session.execute(
        update(Profile).where(Profile.id == profile.id, Profile.verified_at.is_(None),
                              Profile.ocop_certificate_no == number)
        .values(verified_at=now, verified_by_id=admin.id, verified_certificate_no=number)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise WrongState(_("This producer's verification changed meanwhile; reload the page."))
    emit_event("user.verified", target_type="user", target_id=user.id, actor=admin, certificate_no=number,
               display_name=profile.display_name)
    db.session.commit()
    db.session.refresh(profile)
    return user


# -- profile ----------------------------------------------------------------------------------

def edit_profile(user: User, admin: User, change: ProfileChange) -> list[str]:
    """An admin corrects a producer's or distributor's details (a certificate
    number read off the paper certificate, a phone that changed): audited
    with the fields changed; a new certificate number lapses the verification."""
    was_verified = user.profile is not None and user.profile.verified_at is not None
    changed = apply_profile_change(user, change)
    if changed:
        emit_event("user.profile_edited", target_type="user", target_id=user.id, actor=admin, fields=changed,
                   display_name=user.profile.display_name,
                   verification_lapsed=was_verified and user.profile.verified_at is None)
    db.session.commit()
    return changed


# -- suspension -----------------------------------------------------------------------------------

def _refuse_untouchable(user: User, admin: User) -> None:
    if user.id == admin.id:
        raise NotAllowed(_("You cannot suspend your own account."))
    if user.role == Role.ADMIN:
        raise NotAllowed(_("Admin accounts are managed from the command line, not suspended here."))


def revoke_api_tokens(user_id: int, now) -> int:
    """Every working token of the account stops working; one UPDATE."""
    return db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)).rowcount


def hide_from_runs_in_flight(user_id: int) -> None:
    """A run that loaded the account's listings and orders before this
    commits reserves them only if their revision is unchanged: bumping it
    turns what that run wanted of them into stale allocations."""
    for table, owner in ((Listing, Listing.producer_id), (DemandOrder, DemandOrder.distributor_id)):
        db.session.execute(update(table).where(owner == user_id).values(revision=table.revision + 1)
                           .execution_options(synchronize_session=False))


def suspend_user(user: User, admin: User, reason: str | None) -> int:
    """Suspends the account in one transaction; returns how many matches it cancelled.

    Order matters: the account's live matches are cancelled first (they lock
    the matches, then give the stock back to listings and orders), then the
    user row is changed, which also rotates the session token so every
    browser session and remember-me cookie stops loading the user; then
    every API token is revoked and the account's listings and orders change
    revision (a run already under way cannot promise them). Any failure
    rolls all of it back."""
    _refuse_untouchable(user, admin)
    if user.status == UserStatus.SUSPENDED:
        raise WrongState(_("This account is already suspended."))
    reason = checked_reason(reason)
    user_id = user.id
    try:
        cancelled = cancel_open_matches(actor=admin, reason=_("An account involved in this match was suspended."),
                                        user_id=user_id)
        now = utcnow()
        changed = db.session.execute(
            update(User).where(User.id == user_id, User.status == UserStatus.ACTIVE.value)
            .values(status=UserStatus.SUSPENDED.value, suspended_reason=reason, suspended_at=now,
                    session_token=new_session_token())
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            raise WrongState(_("This account is already suspended."))
        revoked = revoke_api_tokens(user_id, now)
        hide_from_runs_in_flight(user_id)
        # A run that wrote for the account between the first pass and the
        # revision bump (which waited for it to commit) left live matches.
        cancelled += cancel_open_matches(actor=admin, reason=_("An account involved in this match was suspended."),
                                         user_id=user_id)
        emit_event("user.suspended", target_type="user", target_id=user_id, actor=admin, reason=reason,
                   cancelled_matches=cancelled, revoked_tokens=revoked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.refresh(user)
    return cancelled


def reinstate_user(user: User, admin: User, reason: str | None) -> User:
    """The account is active again: its listings and orders show again. Its
    API tokens stay revoked; the user makes new ones."""
    if user.status != UserStatus.SUSPENDED:
        raise WrongState(_("This account is not suspended."))
    reason = checked_reason(reason)
    changed = db.session.execute(
        update(User).where(User.id == user.id, User.status == UserStatus.SUSPENDED.value)
        .values(status=UserStatus.ACTIVE.value, suspended_reason=None, suspended_at=None)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        raise WrongState(_("This account is not suspended."))
    # Active again before the event, so that its notification reaches the user.
    db.session.refresh(user)
    emit_event("user.reinstated", target_type="user", target_id=user.id, actor=admin, reason=reason)
    db.session.commit()
    db.session.refresh(user)
    return user
