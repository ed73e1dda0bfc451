"""Notification pages: the list behind the bell, preferences, webhooks."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from marketplace.auth.permissions import current_account as me
from marketplace.auth.permissions import role_required
from marketplace.core.pagination import requested_page
from marketplace.core.validation import InvalidInput, NotAllowed
from marketplace.models import Channel
from marketplace.models.user import Role
from marketplace.notifications import bp
from marketplace.notifications.endpoints import (
    add_endpoint,
    deliveries_of,
    enable_endpoint,
    endpoints_of,
    own_endpoint,
    remove_endpoint,
)
from marketplace.notifications.forms import EmptyForm, PreferencesForm, WebhookForm
from marketplace.notifications.messages import kinds_for, path_of, text_of, title_of
from marketplace.notifications.services import (
    mark_all_read,
    mark_read,
    notifications_of,
    own_notification,
    preferences_of,
    set_preferences,
)
from marketplace.notifications.webhooks import error_label

trader_required = role_required(Role.PRODUCER, Role.DISTRIBUTOR)


def _safe_next() -> str | None:
    target = request.form.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else None


@bp.get("")
@login_required
def index():
    unread_only = request.args.get("unread") == "1"
    results = notifications_of(me(), requested_page(), unread_only=unread_only)
    return render_template("notifications/index.html", results=results, unread_only=unread_only,
                           form=EmptyForm(), title_of=title_of, text_of=text_of, path_of=path_of)


@bp.post("/<int:notification_id>/read")
@login_required
def read(notification_id: int):
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    notification = own_notification(me(), notification_id) or abort(404)
    mark_read(notification)
    return redirect(_safe_next() or url_for(".index"))


@bp.get("/<int:notification_id>/open")
@login_required
def open_(notification_id: int):
    """Following a notification's link marks it read."""
    notification = own_notification(me(), notification_id) or abort(404)
    mark_read(notification)
    return redirect(path_of(notification.kind, notification.payload))


@bp.post("/read-all")
@login_required
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = mark_all_read(me())
    flash(_("%(count)d notifications marked as read.", count=count), "success")
    return redirect(url_for(".index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    user = me()
    current = preferences_of(user)
    form = PreferencesForm(data={"email_digest": current["email_digest"]})
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        changes = [(kind.code, channel.value, f"{kind.code}:{channel.value}" in request.form)
                   for kind in kinds_for(user.role) for channel in Channel]
        set_preferences(user, changes, digest=form.email_digest.data)
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for(".preferences"))
    enabled = {(row["kind"], row["channel"]): row["enabled"] for row in current["preferences"]}
    return render_template("notifications/preferences.html", form=form, kinds=kinds_for(user.role),
                           channels=list(Channel), enabled=enabled, webhooks_allowed=user.role != Role.ADMIN)


@bp.route("/webhooks", methods=["GET", "POST"])
@trader_required
def webhooks():
    form = WebhookForm()
    created = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                created = add_endpoint(me(), form.url.data)
                form = WebhookForm(formdata=None)
            except InvalidInput as error:
                form.url.errors = [error.fields.get("url", error.message or "")]
                status = 400
            except NotAllowed:
                abort(403)
        else:
            status = 400
    return render_template("notifications/webhooks.html", form=form, endpoints=endpoints_of(me()),
                           created=created, action_form=EmptyForm()), status


@bp.get("/webhooks/<int:endpoint_id>")
@trader_required
def webhook(endpoint_id: int):
    endpoint = own_endpoint(me(), endpoint_id) or abort(404)
    return render_template("notifications/webhook.html", endpoint=endpoint, action_form=EmptyForm(),
                           results=deliveries_of(endpoint, requested_page()), error_label=error_label)


@bp.post("/webhooks/<int:endpoint_id>/enable")
@trader_required
def webhook_enable(endpoint_id: int):
    endpoint = own_endpoint(me(), endpoint_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    enable_endpoint(endpoint)
    flash(_("The endpoint is enabled again."), "success")
    return redirect(url_for(".webhook", endpoint_id=endpoint.id))


@bp.post("/webhooks/<int:endpoint_id>/remove")
@trader_required
def webhook_remove(endpoint_id: int):
    endpoint = own_endpoint(me(), endpoint_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    remove_endpoint(endpoint)
    flash(_("The endpoint is removed; nothing more is sent to it."), "success")
    return redirect(url_for(".webhooks"))
