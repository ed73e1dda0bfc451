"""Notifications: in-app (the bell), e-mail and signed webhooks, with
preferences and a daily digest. ``init_notifications`` subscribes the
notifier to domain events in every process (web, worker, CLI)."""
from flask import Blueprint, Flask, has_request_context
from flask_login import current_user

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def init_notifications(app: Flask) -> None:
    from marketplace.core.events import subscribe
    from marketplace.notifications.services import on_event, unread_count

    subscribe(on_event)
    app.register_blueprint(bp)

    @app.context_processor
    def inject_unread_count():
        # Evaluated only when a template reads it: one indexed count for the bell.
        def count() -> int:
            if has_request_context() and current_user and current_user.is_authenticated:
                return unread_count(current_user.id)
            return 0
        return {"unread_notifications": count}


from marketplace.notifications import views  # noqa: E402,F401
