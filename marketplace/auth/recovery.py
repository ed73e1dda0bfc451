"""Forgot password: a link by e-mail that works once and for a while.

The token is signed (itsdangerous, with SECRET_KEY) over the account id and a
fingerprint of the current password hash, and carries its time: it stops
working after ``PASSWORD_RESET_HOURS`` (1), and the moment the password
changes (by this link or otherwise), so it cannot be used twice. Nothing
secret is kept for it beyond the e-mail waiting to be sent.

Asking for a link answers the same whether the e-mail has an account or not;
only an existing, active account gets an e-mail (through the notifier).
"""
from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from marketplace.auth.passwords import hash_password
from marketplace.auth.tokens import revoke_all_tokens
from marketplace.core.clock import utcnow
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.core.rate import RateLimited, check_rate, count_write
from marketplace.models import User
from marketplace.models.user import UserStatus

RESET_EVENT = "account.password_reset"
CONFIRM_EVENT = "account.confirm_email"
SIGNUP_ATTEMPT_EVENT = "account.signup_attempt"   # someone signed up with an e-mail that has an account


class ResetLinkInvalid(Exception):
    """The link is expired, already used, or not ours."""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def reset_token(user: User) -> str:
    return _serializer().dumps({"u": user.id, "p": _fingerprint(user)})


def user_for_reset(token: str) -> User:
    """The account this link may reset now, or ResetLinkInvalid."""
    try:
        data = _serializer().loads(token, max_age=int(float(current_app.config["PASSWORD_RESET_HOURS"]) * 3600))
    except BadSignature:
        raise ResetLinkInvalid() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise ResetLinkInvalid()
    user = db.session.get(User, data["u"])
    if user is None or user.status != UserStatus.ACTIVE or data.get("p") != _fingerprint(user):
        raise ResetLinkInvalid()
    return user


def request_reset(email: str) -> None:
    """E-mails a reset link to the account behind ``email``, if there is an active one.
    Says nothing either way; a few requests an hour per account at most (the rest are dropped silently)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or user.status != UserStatus.ACTIVE:
        return
    try:
        check_rate("PASSWORD_RESET_RATE_LIMIT", "password-reset", user.id, "")
    except RateLimited:
        return
    emit_event(RESET_EVENT, target_type="user", target_id=user.id, actor=None)
    db.session.commit()
    count_write("PASSWORD_RESET_RATE_LIMIT", "password-reset", user.id)


def reset_password(token: str, new_password: str) -> User:
    """Sets the new password: every session and API token of the account ends, and the link dies."""
    user = user_for_reset(token)
    user.password_hash = hash_password(new_password)
    user.rotate_session_token()
    revoke_all_tokens(user)
    emit_event("account.password_changed_by_link", target_type="user", target_id=user.id, actor=user)
    db.session.commit()
    return user


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-confirm")


def confirm_token(user: User) -> str:
    return _confirm_serializer().dumps({"u": user.id, "e": user.email})


def confirm_email(token: str) -> User:
    """Marks the account's e-mail confirmed (again: harmless), or ResetLinkInvalid."""
    try:
        data = _confirm_serializer().loads(
            token, max_age=int(float(current_app.config["EMAIL_CONFIRM_DAYS"]) * 86400))
    except BadSignature:
        raise ResetLinkInvalid() from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or user.email != data.get("e"):
        raise ResetLinkInvalid()
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        emit_event("account.email_confirmed", target_type="user", target_id=user.id, actor=user)
        db.session.commit()
    return user


def invalid_link_message() -> str:
    return _("This link has expired or was already used. Ask for a new one.")
