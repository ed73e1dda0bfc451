"""The one permission check per role for pages."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from marketplace.models import User
from marketplace.models.user import Role


def role_required(*roles: Role):
    """Signed in (else to the login page) and one of ``roles`` (else 403)."""
    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return login_required(wrapped)
    return decorate


def current_account() -> User:
    """The signed-in user itself, not Flask-Login's proxy (services keep it)."""
    return current_user._get_current_object()
