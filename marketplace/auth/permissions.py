"""The one permission check per role for pages."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app
from flask_babel import gettext as _
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


def must_confirm_email(user: User) -> bool:
    """With REQUIRE_EMAIL_CONFIRMATION (on in production), an account whose
    e-mail is unconfirmed may sign in and look around, but not publish or
    accept matches: a typo in the address would leave the other party of a
    deal with no way to reach it."""
    return (bool(current_app.config.get("REQUIRE_EMAIL_CONFIRMATION")) and user.role != Role.ADMIN
            and user.email_confirmed_at is None)


def confirm_email_first() -> str:
    return _("Confirm your e-mail first: open the link we sent when you signed up. "
             "Until then you can look around, but not publish or accept matches.")


def current_account() -> User:
    """The signed-in user itself, not Flask-Login's proxy (services keep it)."""
    return current_user._get_current_object()
