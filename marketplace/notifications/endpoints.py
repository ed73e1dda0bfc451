"""Webhook endpoints: producers and distributors register, list, enable
and remove them, and read each one's delivery log."""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.core.pagination import Page, paginate
from marketplace.core.rate import check_rate, count_write
from marketplace.core.validation import InvalidInput, NotAllowed
from marketplace.models import NotificationDelivery, User, WebhookEndpoint
from marketplace.models.user import Role
from marketplace.notifications.webhooks import url_problem

MAX_ENDPOINTS = 5


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    return db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.user_id == user.id, WebhookEndpoint.removed_at.is_(None))
        .order_by(WebhookEndpoint.id)).all()


def own_endpoint(user: User, endpoint_id: int) -> WebhookEndpoint | None:
    return db.session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.user_id == user.id,
        WebhookEndpoint.removed_at.is_(None)))


def add_endpoint(user: User, url: str) -> WebhookEndpoint:
    if user.role not in (Role.PRODUCER, Role.DISTRIBUTOR):
        raise NotAllowed(_("Only producers and distributors can register webhooks."))
    url = (url or "").strip()
    problem = (_("This field is required.") if not url else
               _("At most %(max)d characters.", max=500) if len(url) > 500 else
               url_problem(url, current_app.config["WEBHOOK_ALLOW_HTTP_LOCALHOST"]))
    if problem:
        raise InvalidInput({"url": problem})
    _check_webhook_rate(user.id)
    if len(endpoints_of(user)) >= MAX_ENDPOINTS:
        raise InvalidInput({"url": _("You can register at most %(count)d endpoints.", count=MAX_ENDPOINTS)})
    endpoint = WebhookEndpoint(user_id=user.id, url=url)
    db.session.add(endpoint)
    db.session.commit()
    count_write("WEBHOOK_RATE_LIMIT", "webhook-change", user.id)
    return endpoint


def _check_webhook_rate(user_id: int) -> None:
    """Adding and removing share one budget: add-remove loops cannot run without end."""
    check_rate("WEBHOOK_RATE_LIMIT", "webhook-change", user_id,
               _("You have changed your webhooks many times in a short time. Please wait a while and try again."))


def remove_endpoint(endpoint: WebhookEndpoint) -> None:
    _check_webhook_rate(endpoint.user_id)
    endpoint.removed_at, endpoint.active = utcnow(), False
    db.session.commit()
    count_write("WEBHOOK_RATE_LIMIT", "webhook-change", endpoint.user_id)


def enable_endpoint(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """After its owner fixed it: sends resume with the next notification."""
    endpoint.active, endpoint.consecutive_failures = True, 0
    endpoint.disabled_at = endpoint.disabled_reason = None
    db.session.commit()
    return endpoint


def deliveries_of(endpoint: WebhookEndpoint, page: int | None = None, per_page: int | None = None) -> Page:
    return paginate(select(NotificationDelivery).where(NotificationDelivery.endpoint_id == endpoint.id)
                    .order_by(NotificationDelivery.id.desc()), page, per_page)
