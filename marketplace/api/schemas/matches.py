"""Matches and match runs: what the API returns, and the few bodies it takes."""
from __future__ import annotations

from marshmallow import fields

from marketplace.api.auth import current_user
from marketplace.api.schemas.base import (
    ApiSchema, Boolean, DateTime, Enum, Integer, List, Nested, PageQuery, String, choice, text,
)
from marketplace.api.schemas.common import LEAF_CATEGORY_CODES
from marketplace.matches.lifecycle import REASON_MAX, party_of
from marketplace.matches.wording import score_in_words
from marketplace.models import MatchStatus, RunStatus


def _explanation(match) -> list[str]:
    return score_in_words(match.breakdown, party_of(match, current_user()))


class MatchSchema(ApiSchema):
    """A proposed deal: ``quantity`` of the listing's ``unit`` at ``unit_price`` VND per unit."""
    id = Integer()
    listing_id = Integer()
    order_id = Integer()
    listing_title = String(attribute="listing.title")
    order_title = String(attribute="order.title")
    producer_id = Integer()
    producer_name = String(attribute="producer.display_name")
    distributor_id = Integer()
    distributor_name = String(attribute="distributor.display_name")
    category = String()
    quantity = Integer()
    unit = String()
    unit_price = Integer(metadata={"description": "The listing's price per unit when proposed, VND."})
    listing_unit_price = Integer(attribute="listing.unit_price",
                                 metadata={"description": "The listing's price now, VND per unit."})
    order_max_unit_price = Integer(attribute="order.max_unit_price",
                                   metadata={"description": "The order's highest price, VND per unit."})
    score = fields.Float(metadata={"description": "0 to 1; higher is a better fit."})
    breakdown = fields.Dict(keys=fields.String(), metadata={
        "description": "price_saving_pct, distance_km, stars, min_stars, ready_in_days, days_of_slack "
                       "and the weighted parts of the score."})
    explanation = fields.Function(_explanation, metadata={
        "type": "array", "items": {"type": "string"},
        "description": "The score in words, in the request's language."})
    status = Enum(MatchStatus)
    expires_at = DateTime(allow_none=True, metadata={
        "description": "An approved match not accepted by both parties by then expires."})
    producer_accepted_at = DateTime(allow_none=True)
    distributor_accepted_at = DateTime(allow_none=True)
    approved_at = DateTime(allow_none=True)
    confirmed_at = DateTime(allow_none=True)
    fulfilled_at = DateTime(allow_none=True)
    reason = String(allow_none=True, metadata={"description": "Why it was rejected, declined or cancelled."})
    created_at = DateTime()


class MatchQuerySchema(PageQuery):
    status = Enum(MatchStatus)


class AdminMatchQuerySchema(PageQuery):
    status = Enum(MatchStatus, load_default=MatchStatus.PROPOSED)


class ReasonSchema(ApiSchema):
    reason = text(REASON_MAX, allow_none=True)


class RequiredReasonSchema(ApiSchema):
    reason = text(REASON_MAX, required=True)


class RunInSchema(ApiSchema):
    category = String(allow_none=True, validate=choice(LEAF_CATEGORY_CODES), metadata={
        "description": "One sub-category; leave out for a full run over every category.",
        "enum": LEAF_CATEGORY_CODES})


class RunWaitQuerySchema(ApiSchema):
    wait = Boolean(load_default=False, metadata={
        "description": "Wait (up to the configured time) for the run to finish."})


class RunPartSchema(ApiSchema):
    category = String()
    status = Enum(RunStatus)
    attempts = Integer()
    listings = Integer()
    orders = Integer()
    arcs = Integer()
    matches = Integer()
    quantity = Integer()
    total_score = fields.Float()
    stale = Integer()
    pruned = Boolean()
    proven_optimal = Boolean()
    timings = fields.Dict(keys=fields.String(), values=fields.Float())
    error = String(allow_none=True)
    worker = String(allow_none=True)
    started_at = DateTime(allow_none=True)
    finished_at = DateTime(allow_none=True)


class RunSchema(ApiSchema):
    """A match run's figures, summed over its parts."""
    id = Integer()
    trigger = String()
    category = String(allow_none=True)
    status = String(validate=choice([s.value for s in RunStatus]),
                    metadata={"enum": [s.value for s in RunStatus]})
    parts_total = Integer()
    parts_done = Integer()
    listings = Integer()
    orders = Integer()
    arcs = Integer()
    matches = Integer()
    quantity = Integer()
    total_score = fields.Float()
    stale = Integer()
    pruned = Boolean()
    proven_optimal = Boolean()
    timings = fields.Dict(keys=fields.String(), values=fields.Float())
    duration = fields.Float(allow_none=True, metadata={"description": "Seconds, once finished."})
    created_at = DateTime()
    started_at = DateTime(allow_none=True)
    finished_at = DateTime(allow_none=True)


class RunDetailSchema(RunSchema):
    parts = List(Nested(RunPartSchema))
