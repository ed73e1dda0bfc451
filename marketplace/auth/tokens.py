"""API token use cases: create (shown once), list, revoke, and find the user
behind a bearer token. Each use case commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.core.validation import InvalidInput
from marketplace.models import ApiToken, User
from marketplace.models.api_token import hash_token, new_token

HINT_LENGTH = 10          # "cc_" and 7 random characters: enough to tell tokens apart
DEFAULT_NAME = "api"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)
# Working tokens one account may hold: a script that asks for a token per run
# should revoke the old ones (or reuse one) instead of piling them up.
MAX_LIVE_TOKENS = 20


def lifetime() -> timedelta:
    """How long a token works after it is issued (API_TOKEN_DAYS)."""
    return timedelta(days=current_app.config["API_TOKEN_DAYS"])


def expires_at(token: ApiToken) -> datetime:
    return _aware(token.created_at) + lifetime()


def _live(now: datetime):
    """Not revoked and not expired."""
    return (ApiToken.revoked_at.is_(None)) & (ApiToken.created_at > now - lifetime())


@dataclass(frozen=True)
class IssuedToken:
    """A new token and the secret, which is never stored and never shown again."""
    token: ApiToken
    secret: str


def create_token(user: User, name: str | None = None) -> IssuedToken:
    live = db.session.scalar(select(func.count()).select_from(ApiToken)
                             .where(ApiToken.user_id == user.id, _live(utcnow())))
    if live >= MAX_LIVE_TOKENS:
        raise InvalidInput({}, _("You have %(count)d working API tokens, the most an account may hold. "
                                 "Revoke one you no longer use, then ask again.", count=MAX_LIVE_TOKENS))
    secret = new_token()
    token = ApiToken(user_id=user.id, name=(name or "").strip() or DEFAULT_NAME,
                     token_hash=hash_token(secret), hint=secret[:HINT_LENGTH], created_at=utcnow())
    db.session.add(token)
    db.session.commit()
    return IssuedToken(token, secret)


def list_tokens(user: User, page: int | None = None, per_page: int | None = None) -> Page[ApiToken]:
    """The user's tokens that still work, newest first."""
    statement = (select(ApiToken)
                 .where(ApiToken.user_id == user.id, _live(utcnow()))
                 .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return paginate(statement, page, per_page)


def revoke_token(user: User, token_id: int) -> bool:
    """False when the user has no working token with this id: another user's
    token looks the same as one that does not exist."""
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user.id, _live(utcnow())))
    if token is None:
        return False
    token.revoked_at = utcnow()
    db.session.commit()
    return True


def revoke_all_tokens(user: User) -> int:
    """Every working token of ``user`` stops working (a password change); the caller commits."""
    return db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .values(revoked_at=utcnow()).execution_options(synchronize_session=False)).rowcount


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_for_secret(secret: str, now: datetime) -> ApiToken | None:
    """The working (not revoked, not expired) token with this secret, its use noted at most once a minute."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret), _live(now)))
    if token is None:
        return None
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token
