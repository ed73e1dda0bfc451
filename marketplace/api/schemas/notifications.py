"""Notifications, preferences and webhook endpoints in the API."""
from __future__ import annotations

from marshmallow import fields

from marketplace.api.schemas.base import ApiSchema, Boolean, List, Nested, PageQuery, String, choice, text
from marketplace.notifications.email import site_link
from marketplace.notifications.messages import KINDS, path_of, text_of, title_of

CHANNELS = ["email", "webhook"]


class NotificationQuery(PageQuery):
    unread = Boolean(load_default=False, metadata={"description": "Only unread notifications."})


class NotificationSchema(ApiSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": sorted(KINDS)})
    title = fields.Function(lambda n: title_of(n.kind, n.payload), metadata={"type": "string"})
    message = fields.Function(lambda n: text_of(n.kind, n.payload), metadata={"type": "string"})
    link = fields.Function(lambda n: site_link(path_of(n.kind, n.payload)), metadata={"type": "string"})
    data = fields.Dict(attribute="payload", metadata={"description": "The event's details (ids, titles, ...)."})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)


class ReadAllSchema(ApiSchema):
    updated = fields.Integer(metadata={"description": "How many notifications were unread."})


class PreferenceSchema(ApiSchema):
    kind = String(required=True, validate=choice(sorted(KINDS)), metadata={"enum": sorted(KINDS)})
    channel = String(required=True, validate=choice(CHANNELS), metadata={"enum": CHANNELS})
    enabled = Boolean(required=True)
    label = fields.String(dump_only=True)


class PreferencesSchema(ApiSchema):
    """In-app notifications are always on; these choose e-mail and webhook."""
    email_digest = Boolean(metadata={"description": "Gather e-mails into one daily summary at 07:00 (Vietnam)."})
    preferences = List(Nested(PreferenceSchema))


class WebhookInSchema(ApiSchema):
    url = text(500, required=True, metadata={
        "description": "https:// address (http:// only for localhost in development)."})


class WebhookSchema(ApiSchema):
    id = fields.Integer()
    url = fields.String()
    active = fields.Boolean()
    consecutive_failures = fields.Integer()
    disabled_at = fields.DateTime(allow_none=True)
    disabled_reason = fields.String(allow_none=True)
    created_at = fields.DateTime()


class NewWebhookSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "Keys the X-CungCau-Signature HMAC; keep it private."})


class WebhookDeliverySchema(ApiSchema):
    id = fields.Integer(metadata={"description": "The X-CungCau-Delivery header; the same on every retry."})
    event = fields.String(attribute="notification.kind")
    notification_id = fields.Integer()
    status = fields.Function(lambda d: d.status.value, metadata={"type": "string"})
    attempts = fields.Integer()
    response_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


