"""The dashboard's figures as JSON, and the export filters."""
from __future__ import annotations

from marshmallow import fields

from marketplace.admin.reports.services import DEFAULT_DAYS, MAX_DAYS
from marketplace.api.schemas.base import ApiSchema, Between, Date, DateTime, Enum, Integer, Nested, String
from marketplace.api.schemas.matches import RunSchema
from marketplace.models import MatchStatus


class DashboardQuerySchema(ApiSchema):
    days = Integer(load_default=DEFAULT_DAYS, validate=Between(0, MAX_DAYS),
                   metadata={"description": f"The period of the fill rate and the time to confirm: the last "
                                            f"`days` days, 0 for all time (default {DEFAULT_DAYS})."})


class MatchExportQuerySchema(ApiSchema):
    status = Enum(MatchStatus, metadata={"description": "Only matches in this status."})
    since = Date(metadata={"description": "Proposed on or after this day (Vietnam time)."})
    until = Date(metadata={"description": "Proposed on or before this day (Vietnam time)."})


class PeriodSchema(ApiSchema):
    days = Integer(metadata={"description": "0: all time."})
    since = DateTime(allow_none=True)
    until = DateTime()


class UnitQuantitySchema(ApiSchema):
    unit = String(metadata={"description": "A base unit code (kg, l, bottle ...): quantities of different "
                                           "units are never added."})
    supply = Integer(metadata={"description": "Quantity on offer: quantity - reserved of live listings."})
    demand = Integer(metadata={"description": "Open quantity: quantity - reserved - fulfilled of live orders."})


class SideBySideSchema(ApiSchema):
    code = String(metadata={"description": "A category code or a province code."})
    name = String()
    listings = Integer(metadata={"description": "Live listings (active or sold out) of producers not suspended."})
    orders = Integer(metadata={"description": "Live orders (open or partly matched) of distributors not suspended."})
    quantities = fields.List(Nested(UnitQuantitySchema))


class BalanceSchema(ApiSchema):
    province = String()
    name = String()
    unit = String()
    demand = Integer(metadata={"description": "Open demand delivered to the province."})
    supply = Integer(metadata={"description": "Supply on offer in the province."})
    unmet = Integer(metadata={"description": "Sum over categories of max(demand - supply, 0)."})
    surplus = Integer(metadata={"description": "Sum over categories of max(supply - demand, 0)."})


class UnitFillSchema(ApiSchema):
    unit = String()
    orders = Integer()
    orders_filled = Integer(metadata={"description": "Orders whose whole quantity is confirmed or delivered."})
    ordered = Integer()
    filled = Integer(metadata={"description": "Quantity of confirmed or delivered matches on these orders."})
    share = fields.Float(allow_none=True, metadata={"description": "filled / ordered; null without orders."})
    delivered = Integer(metadata={"description": "Quantity the buyers marked received on these orders."})
    delivered_share = fields.Float(allow_none=True, metadata={"description": "delivered / ordered."})


class FillRateSchema(ApiSchema):
    definition = String()
    orders = Integer(metadata={"description": "Orders posted in the period, whatever their status now."})
    orders_filled = Integer()
    orders_share = fields.Float(allow_none=True)
    by_unit = fields.List(Nested(UnitFillSchema))


class TimeToConfirmSchema(ApiSchema):
    matches = Integer(metadata={"description": "Matches confirmed in the period."})
    median_seconds = fields.Float(allow_none=True, metadata={
        "description": "Median of (confirmed at - the order's posting time); null without matches."})
    median_text = String(metadata={"description": "The median in words, in the caller's language."})


class ModerationSchema(ApiSchema):
    waiting = Integer(metadata={"description": "Proposed matches waiting for an admin."})
    oldest_since = DateTime(allow_none=True)
    receipts_overdue = Integer(metadata={
        "description": "Shipped matches not marked received within RECEIPT_OVERDUE_DAYS (14): ask the buyer."})


class DashboardSchema(ApiSchema):
    period = Nested(PeriodSchema)
    by_category = fields.List(Nested(SideBySideSchema))
    by_province = fields.List(Nested(SideBySideSchema))
    balance_by_province = fields.List(Nested(BalanceSchema))
    fill_rate = Nested(FillRateSchema)
    time_to_confirm = Nested(TimeToConfirmSchema)
    time_to_deliver = Nested(TimeToConfirmSchema, metadata={
        "description": "The same median up to receipt, over the matches fulfilled in the period."})
    moderation = Nested(ModerationSchema)
    recent_runs = fields.List(Nested(RunSchema))
