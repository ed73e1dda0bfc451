"""Demand orders: what a distributor sends (OrderIn, OrderPatch) and what the API returns (Order)."""
from __future__ import annotations

from marketplace.api.schemas.base import (
    ApiSchema,
    Between,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    List,
    MaxLength,
    Nested,
    String,
    body_int,
    body_quantity,
    choice,
    text,
)
from marketplace.api.schemas.common import (
    CERTIFICATION_CODES,
    PRICE,
    Code,
    PublicProfileSchema,
    TradeQuery,
    category_field,
    province_field,
    stars_field,
    unit_field,
)
from marketplace.models import OrderStatus
from marketplace.orders.search import ORDER_SORTS
from marketplace.trade.checks import DESCRIPTION_MAX, TITLE_MAX


class OrderInSchema(ApiSchema):
    """A new demand order. Amounts are in ``unit``."""
    title = text(TITLE_MAX, required=True)
    description = text(DESCRIPTION_MAX, allow_none=True)
    category = category_field(required=True)
    unit = unit_field(required=True)
    quantity = body_quantity(required=True, metadata={"description": "In `unit`; decimals when they come to whole "
                                                                      "base units (1.5 tan = 1500 kg)."})
    max_unit_price = body_int(required=True, validate=Between(1, message=PRICE),
                              metadata={"description": "Whole VND per `unit`."})
    needed_by = Date(allow_none=True)
    delivery_province = province_field(required=True)
    min_stars = stars_field(metadata={"description": "0 (any, the default), 3, 4 or 5."})
    required_certifications = List(Code(validate=MaxLength(40), metadata={"enum": CERTIFICATION_CODES}), metadata={
        "description": "Codes from GET /api/v1/certifications."})
    allow_split = Boolean(truthy={True}, falsy={False}, metadata={
        "description": "Several producers may fill it (default true)."})


class OrderPatchSchema(OrderInSchema):
    """Any subset of the fields. Changing ``unit`` needs every amount again."""


class OrderSchema(ApiSchema):
    """An order as stored: amounts in the base unit, the province as its code."""
    id = Integer()
    title = String()
    description = String()
    category = String()
    unit = String(metadata={"description": "The base unit the amounts are in."})
    quantity = Integer()
    max_unit_price = Integer(metadata={"description": "VND per base unit."})
    needed_by = Date(allow_none=True)
    delivery_province = String(attribute="delivery_province_code")
    min_stars = Integer()
    required_certifications = List(String(), attribute="required_codes")
    allow_split = Boolean()
    status = Enum(OrderStatus)
    reserved_quantity = Integer(metadata={"description": "Held by live matches."})
    delivered_quantity = Integer(attribute="fulfilled_quantity", metadata={"description": "Received, all deals "
                                                                                          "together."})
    open_quantity = Integer(metadata={"description": "quantity - reserved_quantity."})
    distributor = Nested(PublicProfileSchema)
    takedown_reason = String(allow_none=True, metadata={
        "description": "Why the programme staff took it down; null unless taken down."})
    taken_down_at = DateTime(allow_none=True)
    created_at = DateTime()
    updated_at = DateTime()


class OrderQuerySchema(TradeQuery):
    sort = String(load_default="newest", validate=choice(ORDER_SORTS), metadata={
        "description": "distance is from your profile's province."})
