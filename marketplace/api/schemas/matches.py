"""Matches and match runs: what the API returns, and the few bodies it takes."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from marketplace.api.auth import current_user
from marketplace.api.schemas.base import (
    COMMON_MESSAGES,
    ApiSchema,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    List,
    Nested,
    PageQuery,
    String,
    body_int,
    choice,
    text,
)
from marketplace.api.schemas.common import ALL_CATEGORY_CODES, LEAF_CATEGORY_CODES
from marketplace.matches.contacts import contacts
from marketplace.matches.lifecycle import REASON_MAX, party_of, shipments_of
from marketplace.models import MatchStatus, RunStatus
from marketplace.web.phrases import score_in_words


def _explanation(match) -> list[str]:
    return score_in_words(match.breakdown, party_of(match, current_user()))


class ShipmentSchema(ApiSchema):
    id = Integer()
    quantity = Integer()
    shipped_on = Date()
    carrier = String(allow_none=True)
    tracking = String(allow_none=True)
    lots = List(Integer(), attribute="lot_ids", metadata={"description": "Ids of the lots it carried."})
    created_at = DateTime()


class ShipmentInSchema(ApiSchema):
    quantity = body_int(required=True, metadata={"description": "At most what is left to ship of the match."})
    shipped_on = Date(required=True)
    carrier = text(120, allow_none=True)
    tracking = text(300, allow_none=True, metadata={"description": "A tracking number or a note."})
    lots = List(body_int(), metadata={"description": "Optional: ids of the listing's lots it carries "
                                                     "(GET /api/v1/listings/<id>/lots); each gets an EPCIS shipping event."})


class ReceiptSchema(ApiSchema):
    received_quantity = body_int(metadata={
        "description": "What arrived (default: everything shipped, or the whole match). Less than the match "
                       "fulfils it for what arrived and releases the rest on both sides."})


class RatingInSchema(ApiSchema):
    stars = body_int(required=True, metadata={"minimum": 1, "maximum": 5})
    comment = text(1000, allow_none=True)


class RatingSchema(ApiSchema):
    id = Integer()
    match_id = Integer()
    stars = Integer()
    comment = String(allow_none=True)
    created_at = DateTime()


class HiddenRatingSchema(RatingSchema):
    hidden_at = DateTime(allow_none=True)
    hidden_reason = String(allow_none=True, metadata={"description": "Told to the review's author."})


class ReputationSchema(ApiSchema):
    rating_average = fields.Float(allow_none=True)
    rating_count = Integer()
    deals_fulfilled = Integer()
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "0 to 1, over fulfilled deals."})
    cancel_rate = fields.Float(allow_none=True, metadata={
        "description": "0 to 1: deals this user called off after both had accepted, over deals accepted by both."})
    response_hours_median = fields.Float(allow_none=True, metadata={
        "description": "Median hours from approval to this user's acceptance."})
    reliability = fields.Float(metadata={"description": "Producers: the engine's reliability input, 0 to 1."})


class TermsSchema(ApiSchema):
    quantity = Integer()
    unit_price = Integer()
    deliver_by = String(allow_none=True, metadata={"format": "date"})


class ContactSchema(ApiSchema):
    user_id = Integer()
    display_name = String()
    email = String()
    phone = String(allow_none=True)
    province = String(allow_none=True)
    address = String(allow_none=True)
    tax_code = String(allow_none=True)
    zalo_url = String(allow_none=True)


class ContactsSchema(ApiSchema):
    producer = Nested(ContactSchema)
    distributor = Nested(ContactSchema)


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
    unit_price = Integer(metadata={"description": "VND per unit: the listing's price when proposed, or the "
                                                  "price the parties negotiated."})
    deliver_by = fields.Function(lambda m: m.terms["deliver_by"], metadata={
        "type": "string", "format": "date", "nullable": True,
        "description": "The agreed delivery date (the order's needed-by date unless negotiated)."})
    source = String(attribute="source.value", metadata={
        "enum": ["run", "offer"], "description": "run: proposed by the engine; offer: by a party directly."})
    note = String(allow_none=True, metadata={"description": "What the party who offered directly said with it."})
    negotiated = Boolean(metadata={"description": "An accepted counter-offer changed the terms."})
    proposed_terms = Nested(TermsSchema, attribute="first_terms",
                            metadata={"description": "The terms as first proposed, kept for the record."})
    contact = fields.Function(lambda m: contacts(m, current_user()), metadata={
        "type": "object", "nullable": True,
        "description": "Both parties' contact details (producer, distributor: display_name, phone, email, "
                       "province, address, tax_code, zalo_url) once the match is confirmed; admins always. "
                       "Null before."})
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
    shipped_quantity = Integer(metadata={"description": "Recorded as shipped by the producer, all shipments."})
    received_quantity = Integer(allow_none=True, metadata={"description": "What the buyer received (fulfilled)."})
    shipments = fields.Function(lambda m: [ShipmentSchema().dump(s) for s in shipments_of(m)], metadata={
        "type": "array", "items": {"type": "object"},
        "description": "id, quantity, shipped_on, carrier, tracking, created_at; oldest first."})
    created_at = DateTime()


class MatchQuerySchema(PageQuery):
    status = Enum(MatchStatus)


class Fraction(fields.Float):
    """A number from 0 to 1, e.g. a score."""
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l("Enter a number from 0 to 1."),
                              "special": _l("Enter a number from 0 to 1.")}

    def __init__(self, **kwargs):
        super().__init__(validate=validate.Range(0, 1, error=_l("Enter a number from 0 to 1.")), **kwargs)


class AdminMatchQuerySchema(PageQuery):
    status = Enum(MatchStatus, load_default=MatchStatus.PROPOSED)
    category = String(metadata={"description": "A category or a whole group (e.g. food): its sub-categories.",
                                "enum": ALL_CATEGORY_CODES})
    province = String(metadata={
        "description": "A province (code or any name, old names too): the listing's province OR the order's "
                       "delivery province."})
    max_score = Fraction(metadata={"description": "Only matches scoring strictly below this (0 to 1)."})
    unverified = Boolean(load_default=False, metadata={"description": "Only matches whose producer is not verified."})


class HistorySchema(ApiSchema):
    fulfilled = Integer(metadata={"description": "The producer's fulfilled matches, over all their matches."})
    cancelled = Integer(metadata={"description": "The producer's cancelled matches, over all their matches."})


class AdminMatchSchema(MatchSchema):
    """A match as the moderators see it: with where each side is, whether the
    producer is verified, and the producer's track record."""
    producer_verified = Boolean()
    listing_province = String(attribute="listing.province_code")
    delivery_province = String(attribute="order.delivery_province_code")
    approved_by_policy = Boolean()
    producer_history = Nested(HistorySchema)


def _reason_codes() -> list[str]:
    from marketplace.admin.moderation.services import REJECT_REASONS
    return list(REJECT_REASONS)


class AdminRejectSchema(ApiSchema):
    """A standard reason, your own words, or both ("other" needs words)."""
    reason_code = String(allow_none=True, validate=choice(_reason_codes()), metadata={
        "enum": _reason_codes(), "description": "price: far from the market; quantity_quality: in doubt; "
        "unverified: producer not verified; suspicious: duplicate or suspicious; other (say why in reason)."})
    reason = text(REASON_MAX, allow_none=True, metadata={
        "description": "Free text; stored after the standard reason's label. Required without reason_code "
                       "or with other."})


class BulkInSchema(AdminRejectSchema):
    ids = List(body_int(), required=True, validate=validate.Length(
        1, 100, error=_l("Send from 1 to 100 match ids.")))
    action = String(required=True, validate=choice(["approve", "reject"]),
                    metadata={"enum": ["approve", "reject"]})


class OutcomeSchema(ApiSchema):
    id = Integer()
    ok = Boolean()
    error = String(allow_none=True, metadata={"description": "Why this one did not go through."})


class BulkResultSchema(ApiSchema):
    results = List(Nested(OutcomeSchema), metadata={"description": "One per id, in the order sent."})
    done = Integer(metadata={"description": "How many were approved or rejected."})
    already_handled = Integer(metadata={"description": "How many were no longer waiting for moderation."})
    not_found = Integer()


class PolicySchema(ApiSchema):
    enabled = Boolean()
    min_score = fields.Float(metadata={"description": "0 to 1: a proposal's score must be at least this."})
    require_verified_producer = Boolean()
    require_good_standing = Boolean(metadata={
        "description": "Both parties active (not suspended) and each cancelled or declined fewer than 3 "
                       "matches themselves in the last 90 days."})
    good_standing = String(metadata={"description": "The definition of good standing, in words."})
    updated_at = DateTime(allow_none=True)
    updated_by_id = Integer(allow_none=True)


class PolicyInSchema(ApiSchema):
    """Any of the settings; those left out keep their value."""
    enabled = Boolean()
    min_score = Fraction()
    require_verified_producer = Boolean()
    require_good_standing = Boolean()


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
