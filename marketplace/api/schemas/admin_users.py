"""Accounts as admins see them, and the bodies of verify, suspend, reinstate and takedown."""
from __future__ import annotations

from marshmallow import fields

from marketplace.admin.accounts.services import CERTIFICATE_MAX, QUERY_MAX
from marketplace.api.schemas.base import (
    ApiSchema,
    Boolean,
    DateTime,
    Enum,
    Integer,
    List,
    Nested,
    PageQuery,
    String,
    text,
)
from marketplace.api.schemas.reference import ProvinceSchema
from marketplace.models.user import Role, UserStatus


class AdminUserQuerySchema(PageQuery):
    q = text(QUERY_MAX, metadata={"description": "Part of the e-mail, display name, phone or OCOP certificate number."})
    role = Enum(Role)
    status = Enum(UserStatus)
    unverified = Boolean(load_default=False, metadata={"description": "Only producers not verified yet."})


class AdminUserSchema(ApiSchema):
    """An account with its profile (admins have none: those fields are null)."""
    id = Integer()
    email = String()
    role = Enum(Role)
    status = Enum(UserStatus)
    display_name = String()
    kind = String(allow_none=True)
    province = String(allow_none=True)
    phone = String(allow_none=True)
    ocop_certificate_no = String(allow_none=True)
    verified = Boolean(metadata={"description": "A producer whose certificate number an admin checked."})
    verified_at = DateTime(allow_none=True)
    verified_by_id = Integer(allow_none=True)
    verified_certificate_no = String(allow_none=True, metadata={"description": "The number that was checked."})
    suspended_reason = String(allow_none=True)
    suspended_at = DateTime(allow_none=True)
    created_at = DateTime()


class AdminRefSchema(ApiSchema):
    id = Integer()
    email = String()
    display_name = String()


class OwnedItemSchema(ApiSchema):
    id = Integer()
    title = String()
    status = String()
    takedown_reason = String(allow_none=True)
    taken_down_at = DateTime(allow_none=True)


class AdminUserDetailSchema(AdminUserSchema):
    verified_by = Nested(AdminRefSchema, allow_none=True, metadata={"description": "Who verified the producer."})
    match_counts = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "The account's matches by status, e.g. {\"fulfilled\": 3, \"cancelled\": 1}."})
    open_matches = Integer(metadata={"description": "Matches still holding stock (a suspension cancels them)."})
    listings = List(Nested(OwnedItemSchema), metadata={"description": "The latest 50 listings."})
    listing_total = Integer()
    orders = List(Nested(OwnedItemSchema), metadata={"description": "The latest 50 orders."})
    order_total = Integer()


class VerifyInSchema(ApiSchema):
    certificate_no = text(CERTIFICATE_MAX, required=True, metadata={
        "description": "The OCOP certificate number the admin checked; must be the producer's (case and "
                       "surrounding spaces aside)."})


class SuspensionSchema(ApiSchema):
    """What a suspension did."""
    user = Nested(AdminUserSchema)
    cancelled_matches = Integer()


class AdminScopeSchema(ApiSchema):
    """The provinces the signed-in admin oversees."""
    whole_country = Boolean(metadata={"description": "True for an admin limited to no province."})
    provinces = List(Nested(ProvinceSchema), metadata={"description": "Empty for the whole country."})
