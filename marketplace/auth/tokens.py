"""API token use cases: create (shown once), list, revoke, and find the user
behind a bearer token. Each use case commits once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.models import ApiToken, User
from marketplace.models.api_token import hash_token, new_token

HINT_LENGTH = 10          # "cc_" and 7 random characters: enough to tell tokens apart
DEFAULT_NAME = "api"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and the secret, which is never stored and never shown again."""
    token: ApiToken
    secret: str


def create_token(user: User, name: str | None = None) -> IssuedToken:
    secret = new_token()
    token = ApiToken(user_id=user.id, name=(name or "").strip() or DEFAULT_NAME,
                     token_hash=hash_token(secret), hint=secret[:HINT_LENGTH], created_at=utcnow())
    db.session.add(token)
    db.session.commit()
    return IssuedToken(token, secret)


def list_tokens(user: User, page: int | None = None, per_page: int | None = None) -> Page[ApiToken]:
    """The user's tokens that still work, newest first."""
    statement = (select(ApiToken)
                 .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                 .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))
    return paginate(statement, page, per_page)


def revoke_token(user: User, token_id: int) -> bool:
    """False when the user has no working token with this id: another user's
    token looks the same as one that does not exist."""
    token = db.session.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if token is None:
        return False
    token.revoked_at = utcnow()
    db.session.commit()
    return True


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def token_for_secret(secret: str, now: datetime) -> ApiToken | None:
    """The working token with this secret, its use noted at most once a minute."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret),
                                                     ApiToken.revoked_at.is_(None)))
    if token is None:
        return None
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return token
