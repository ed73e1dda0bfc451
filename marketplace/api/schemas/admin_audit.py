"""The audit log in the API: its filters and one entry."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields

from marketplace.api.schemas.base import Between, Date, Integer, PageQuery, text


class AuditQuerySchema(PageQuery):
    actor = text(120, metadata={"description": "\"system\", \"policy\", an account id, or part of an e-mail "
                                               "or display name."})
    action = text(60, metadata={"description": "e.g. match.approved, user.suspended"})
    target_type = text(40, metadata={"description": "match, match_run, listing, order, user, approval_policy"})
    target_id = Integer(validate=Between(1, 2**31 - 1))
    since = Date(metadata={"description": "First day included (Vietnam time), YYYY-MM-DD."})
    until = Date(metadata={"description": "Last day included (Vietnam time), YYYY-MM-DD."})


class AuditActorSchema(ma.Schema):
    id = fields.Integer(required=True)
    email = fields.String(allow_none=True)
    display_name = fields.String(allow_none=True)


class AuditEntrySchema(ma.Schema):
    id = fields.Function(lambda entry: entry.row.id, required=True)
    created_at = fields.Function(lambda entry: entry.row.created_at.isoformat(), required=True)
    actor = fields.Function(
        lambda entry: None if entry.row.actor_id is None else
        {"id": entry.row.actor_id, "email": entry.actor_email,
         "display_name": entry.actor_name or entry.actor_email},
        metadata={"description": "The person who acted; null when the system or the policy did."})
    actor_label = fields.Function(lambda entry: entry.row.actor_label,
                                  metadata={"description": "user, system or policy"})
    action = fields.Function(lambda entry: entry.row.action)
    target_type = fields.Function(lambda entry: entry.row.target_type)
    target_id = fields.Function(lambda entry: entry.row.target_id)
    details = fields.Function(lambda entry: entry.row.details or {})
