"""A match's message thread: what the API shows of a message, and the two bodies it takes."""
from __future__ import annotations

from flask_babel import gettext as _
from marshmallow import fields

from marketplace.api.auth import current_user
from marketplace.api.schemas.base import ApiSchema, Boolean, DateTime, Integer, PageQuery, String, text
from marketplace.matches.lifecycle import REASON_MAX
from marketplace.models.message import TEXT_MAX
from marketplace.models.user import Role


def _author_name(message) -> str:
    if message.author_role == "admin":
        return _("Programme staff")
    return message.author.display_name


def _text(message) -> str | None:
    # The parties no longer read a hidden message; admins still do.
    if message.hidden and current_user().role != Role.ADMIN:
        return None
    return message.text


class MessageSchema(ApiSchema):
    """One message; ``text`` is null for the parties once the programme staff hid it."""
    id = Integer()
    author_role = String(metadata={"enum": ["producer", "distributor", "admin"],
                                   "description": "admin: the programme staff, never named."})
    author_name = fields.Function(_author_name, metadata={
        "type": "string", "description": "The party's display name, or the programme staff."})
    mine = fields.Function(lambda message: message.author_id == current_user().id,
                           metadata={"type": "boolean", "description": "Whether you wrote it."})
    text = fields.Function(_text, metadata={
        "type": "string", "nullable": True,
        "description": "As typed; line breaks are \\n. Escape it when you show it."})
    created_at = DateTime()
    hidden = Boolean()
    hidden_at = DateTime(allow_none=True)
    hidden_reason = String(allow_none=True, metadata={"description": "Why the programme staff hid it."})


class MessageInSchema(ApiSchema):
    text = String(required=True, metadata={"maxLength": TEXT_MAX,
                                           "description": f"Plain text, 1 to {TEXT_MAX} characters."})


class HideInSchema(ApiSchema):
    reason = text(REASON_MAX, required=True)


class ThreadQuerySchema(PageQuery):
    """Without ``page``: the last page, where the newest messages are."""
