"""Bearer tokens: ``Authorization: Bearer <token>``. The API never reads the
session cookie, which is what makes exempting it from CSRF safe."""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_smorest import Blueprint

from marketplace.auth.tokens import token_for_secret
from marketplace.core.clock import utcnow
from marketplace.core.errors import ApiError
from marketplace.models import User
from marketplace.models.user import UserStatus

SCHEME = "bearerAuth"
SECURITY_SCHEME = {"type": "http", "scheme": "bearer",
                   "description": "A token from POST /api/v1/auth/tokens."}
# Tokens are 46 characters; a much longer header is not one, and not worth hashing.
MAX_TOKEN_LENGTH = 200


def _user_from_header() -> User:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise ApiError(401, "unauthorized", _("Send an API token: Authorization: Bearer <token>."))
    token = token_for_secret(secret, utcnow()) if len(secret) <= MAX_TOKEN_LENGTH else None
    if token is None:
        raise ApiError(401, "invalid_token", _("This token is not valid, or it was revoked."))
    if token.user.status != UserStatus.ACTIVE:
        raise ApiError(401, "account_suspended",
                       _("This account is suspended. Contact the programme staff of your province."))
    return token.user


def current_user() -> User:
    return g.api_user


def token_required(view):
    """Authenticates before the body is parsed (a stranger learns nothing
    from validation errors) and marks the operation as secured in the spec."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.api_user = _user_from_header()
        return view(*args, **kwargs)
    return Blueprint.doc(security=[{SCHEME: []}], responses={401: "UNAUTHORIZED"})(wrapper)
