"""Flask-Login wiring: users are loaded by id *and* session token, so a
rotated token signs out every old session and remember cookie."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from marketplace.core.extensions import db, login_manager
from marketplace.models import User


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        raw_id, token = user_id.split(":", 1)
        user = db.session.get(User, int(raw_id))
    except (ValueError, TypeError):
        return None
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user
