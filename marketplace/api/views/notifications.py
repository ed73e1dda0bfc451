"""/api/v1/notifications and /api/v1/webhooks: what you were told, your
settings, and the endpoints events are POSTed to."""
from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, PREFIX, fails_with
from marketplace.api.errors import attach_error_handlers
from marketplace.api.schemas.base import PageQuery, page_of
from marketplace.api.schemas.notifications import (
    NewWebhookSchema,
    NotificationQuery,
    NotificationSchema,
    PreferencesSchema,
    ReadAllSchema,
    WebhookDeliverySchema,
    WebhookInSchema,
    WebhookSchema,
)
from marketplace.core.errors import ApiError
from marketplace.core.validation import InvalidInput
from marketplace.notifications.endpoints import (
    add_endpoint,
    deliveries_of,
    enable_endpoint,
    endpoints_of,
    own_endpoint,
    remove_endpoint,
)
from marketplace.notifications.services import (
    PreferenceError,
    mark_all_read,
    mark_read,
    notifications_of,
    own_notification,
    preferences_of,
    set_preferences,
)

bp = Blueprint("api_notifications", __name__, url_prefix=PREFIX,
               description="Notifications, notification settings and webhook endpoints.")
attach_error_handlers(bp)


@bp.before_request
def _json_when_there_is_a_body():
    """Actions such as "mark read" need no body; a body, when sent, must be JSON."""
    if request.method in ("POST", "PUT", "PATCH") and request.get_data(cache=True) and not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       _("Send the body as JSON, with Content-Type: application/json."))


def _notification(notification_id: int):
    found = own_notification(current_user(), notification_id)
    if found is None:
        raise ApiError(404, "not_found", _("No such notification."))
    return found


def _endpoint(endpoint_id: int):
    found = own_endpoint(current_user(), endpoint_id)
    if found is None:
        raise ApiError(404, "not_found", _("No such webhook endpoint."))
    return found


@bp.route("/notifications", methods=["GET"], endpoint="notifications")
@token_required
@bp.arguments(NotificationQuery, location="query")
@bp.response(200, page_of(NotificationSchema))
def list_notifications(args: dict):
    """Your notifications, newest first

    Title and message are in the Accept-Language language; `data` holds the
    event's details (match, listing and order ids, titles, quantities).
    """
    return notifications_of(current_user(), args.get("page"), args.get("per_page"), unread_only=args["unread"])


@bp.route(f"/notifications/<{ID}:notification_id>/read", methods=["POST"], endpoint="read")
@token_required
@fails_with(404)
@bp.response(200, NotificationSchema)
def read(notification_id: int):
    """Mark one notification as read (no body needed; idempotent)"""
    return mark_read(_notification(notification_id))


@bp.route("/notifications/read-all", methods=["POST"], endpoint="read_all")
@token_required
@bp.response(200, ReadAllSchema)
def read_all():
    """Mark all your notifications as read"""
    return {"updated": mark_all_read(current_user())}


@bp.route("/notifications/preferences", endpoint="preferences")
class Preferences(MethodView):
    @token_required
    @bp.response(200, PreferencesSchema)
    def get(self):
        """Your channels per kind of event, defaults filled in"""
        return preferences_of(current_user())

    @token_required
    @bp.arguments(PreferencesSchema)
    @bp.response(200, PreferencesSchema)
    def patch(self, data: dict):
        """Change some choices; the kinds and channels you leave out keep theirs"""
        user = current_user()
        changes = [(row["kind"], row["channel"], row["enabled"]) for row in data.get("preferences", [])]
        try:
            set_preferences(user, changes, digest=data.get("email_digest"))
        except PreferenceError as error:
            raise InvalidInput({error.field: error.message}) from error
        return preferences_of(user)


@bp.route("/webhooks", endpoint="webhooks")
class Webhooks(MethodView):
    @token_required
    @bp.response(200, WebhookSchema(many=True))
    def get(self):
        """Your webhook endpoints"""
        return endpoints_of(current_user())

    @token_required
    @fails_with(403)
    @bp.arguments(WebhookInSchema)
    @bp.response(201, NewWebhookSchema)
    def post(self, data: dict):
        """Register an endpoint (producers and distributors)

        Each notification you enabled for the webhook channel is POSTed as
        JSON, signed: `X-CungCau-Signature: sha256=<hex HMAC-SHA256 of
        "{X-CungCau-Timestamp}.{raw body}" keyed with the secret>`. Refuse
        timestamps more than 5 minutes off, and deduplicate by
        `X-CungCau-Delivery` (a retry carries the same id). Failed POSTs are
        retried with exponential backoff; after repeated failures the
        endpoint is disabled and you are notified.
        """
        return add_endpoint(current_user(), data["url"])


@bp.route(f"/webhooks/<{ID}:endpoint_id>", endpoint="webhook")
class OneWebhook(MethodView):
    @token_required
    @fails_with(404)
    @bp.response(200, NewWebhookSchema)
    def get(self, endpoint_id: int):
        """One endpoint, with its signing secret"""
        return _endpoint(endpoint_id)

    @token_required
    @fails_with(404)
    @bp.response(204)
    def delete(self, endpoint_id: int):
        """Remove an endpoint; nothing more is sent to it"""
        remove_endpoint(_endpoint(endpoint_id))


@bp.route(f"/webhooks/<{ID}:endpoint_id>/enable", methods=["POST"], endpoint="enable_webhook")
@token_required
@fails_with(404)
@bp.response(200, WebhookSchema)
def enable(endpoint_id: int):
    """Enable an endpoint again after it was disabled for failing"""
    return enable_endpoint(_endpoint(endpoint_id))


@bp.route(f"/webhooks/<{ID}:endpoint_id>/deliveries", methods=["GET"], endpoint="webhook_deliveries")
@token_required
@fails_with(404)
@bp.arguments(PageQuery, location="query")
@bp.response(200, page_of(WebhookDeliverySchema))
def deliveries(args: dict, endpoint_id: int):
    """The endpoint's delivery log, newest first"""
    return deliveries_of(_endpoint(endpoint_id), args.get("page"), args.get("per_page"))
