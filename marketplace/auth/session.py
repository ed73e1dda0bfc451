"""Flask-Login wiring: users are loaded by id *and* session token, so a
rotated token signs out every old session and remember cookie.

Sessions also end on their own:
- absolutely, ``SESSION_DAYS`` (14) after signing in with "remember me", and
  ``SESSION_HOURS`` (12) after signing in without it. The sign-in time travels
  in the signed session id that Flask-Login keeps in the session cookie *and*
  copies into the remember cookie, so a copied cookie dies on time too;
- for admins, after ``ADMIN_IDLE_MINUTES`` (120) without a request. Admins are
  never remembered across browser restarts.
"""
from __future__ import annotations

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db, login_manager
from marketplace.models import User
from marketplace.models.user import Role

SEEN_KEY = "_seen_at"


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # The browser may drop the remember cookie at the same moment the server stops accepting it.
    app.config["REMEMBER_COOKIE_DURATION"] = int(float(app.config.get("SESSION_DAYS", 14)) * 86400)
    app.before_request(_end_idle_admin_session)


def _now() -> int:
    return int(utcnow().timestamp())


def remembered(user: User, remember: bool) -> bool:
    """Whether this sign-in may outlive the browser session: never for admins."""
    return remember and user.role != Role.ADMIN


def session_id(user: User, remember: bool) -> str:
    """What Flask-Login keeps for this sign-in: id, session token, when, and remembered or not."""
    return f"{user.get_id()}:{_now()}:{'r' if remember else 's'}"


def start_session(user: User, remember: bool) -> None:
    """Called right after ``login_user``: stamps the sign-in with its time."""
    session["_user_id"] = session_id(user, remember)
    session[SEEN_KEY] = _now()


def _lifetime_seconds(kind: str) -> float:
    config = current_app.config
    if kind == "r":
        return float(config["SESSION_DAYS"]) * 86400
    return float(config["SESSION_HOURS"]) * 3600


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        raw_id, token, signed_in, kind = user_id.split(":")
        age = _now() - int(signed_in)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if age > _lifetime_seconds(kind) or age < -300:
        return None
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def _end_idle_admin_session():
    if request.endpoint == "static" or request.path.startswith("/api/"):
        return None
    if not current_user.is_authenticated or current_user.role != Role.ADMIN:
        return None
    now = _now()
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > float(current_app.config["ADMIN_IDLE_MINUTES"]) * 60:
        logout_user()
        session.pop(SEEN_KEY, None)
        flash(_("You were signed out after a while without activity. Please log in again."), "info")
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    session[SEEN_KEY] = now
    return None
