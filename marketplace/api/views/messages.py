"""/api/v1/matches/<id>/messages: a match's thread, for its two parties and
the programme staff; and the admins' hide action. Who may read and write in
which state: marketplace/matches/messages.py."""
from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _

from marketplace.api.auth import current_user, token_required
from marketplace.api.blueprint import ID, api_blueprint, fails_with
from marketplace.api.schemas.base import page_of
from marketplace.api.schemas.messages import HideInSchema, MessageInSchema, MessageSchema, ThreadQuerySchema
from marketplace.api.views.admin import admin_only
from marketplace.api.views.matches import found
from marketplace.core.errors import ApiError
from marketplace.matches import messages
from marketplace.models import Match

bp = api_blueprint("api_messages", __name__,
                   "Match threads: messages between the two parties of a match, read by the programme staff.")


def readable(match_id: int) -> Match:
    """The match (404 for strangers, as the match itself) once it has a thread."""
    match = found(match_id)
    if not messages.thread_of(match, current_user()).readable:
        raise ApiError(404, "not_found", _("This match has no messages yet: its thread opens once it is "
                                           "approved."))
    return match


@bp.route(f"/matches/<{ID}:match_id>/messages", endpoint="messages")
class Messages(MethodView):
    @token_required
    @fails_with(404)
    @bp.arguments(ThreadQuerySchema, location="query")
    @bp.response(200, page_of(MessageSchema))
    def get(self, args: dict, match_id: int):
        """A match's messages, oldest first

        For the two parties and admins, from approval on. Without `page`, the
        last page (the newest messages). Reading marks your "new messages"
        notifications of this match as read. A message the programme staff
        hid has `hidden: true` and, for the parties, `text: null`.
        """
        return messages.read_thread(readable(match_id), current_user(), args.get("page"), args.get("per_page"))

    @token_required
    @fails_with(403, 404, 409, 429)
    @bp.arguments(MessageInSchema)
    @bp.response(201, MessageSchema)
    def post(self, data: dict, match_id: int):
        """Write in a match's thread

        Plain text, 1 to 2,000 characters. Open while the match is approved,
        confirmed, shipped or fulfilled; read-only (409) once it is declined,
        rejected, expired or cancelled. Admins write as the programme staff.
        The other party is notified, once per burst of messages. Limited per
        user (429).
        """
        try:
            return messages.post_message(readable(match_id), current_user(), data["text"])
        except messages.RateLimited as error:
            raise ApiError(429, "rate_limited", error.message) from error


@bp.route(f"/admin/matches/<{ID}:match_id>/messages/<{ID}:message_id>/hide", endpoint="hide")
class Hide(MethodView):
    @token_required
    @admin_only
    @fails_with(404, 409)
    @bp.arguments(HideInSchema)
    @bp.response(200, MessageSchema)
    def post(self, data: dict, match_id: int, message_id: int):
        """Hide a message, with a reason (admins; audited)

        The parties then see that the programme staff hid it, and why; admins
        still read the text. A message is never deleted.
        """
        try:
            return messages.hide_message(found(match_id), message_id, current_user(), data["reason"])
        except messages.NoSuchMessage as error:
            raise ApiError(404, "not_found", _("No such message in this match.")) from error
