"""Counter-offers on a match and direct offers on orders and listings."""
from __future__ import annotations

from marketplace.api.schemas.base import ApiSchema, Date, DateTime, Enum, Integer, String, body_int, text
from marketplace.matches.offers import NOTE_MAX
from marketplace.models import OfferStatus


class OfferSchema(ApiSchema):
    id = Integer()
    round = Integer(metadata={"description": "1 to 6."})
    by = String(attribute="by_party", metadata={"enum": ["producer", "distributor"]})
    quantity = Integer()
    unit_price = Integer()
    deliver_by = Date(allow_none=True)
    note = String(allow_none=True)
    status = Enum(OfferStatus)
    created_at = DateTime()
    answered_at = DateTime(allow_none=True)


class OfferInSchema(ApiSchema):
    quantity = body_int(required=True, metadata={"description": "In the match's unit."})
    unit_price = body_int(required=True, metadata={"description": "VND per unit."})
    deliver_by = Date(allow_none=True, metadata={"description": "Leave out to keep the current date."})
    note = text(NOTE_MAX, allow_none=True)


class SupplyOfferInSchema(ApiSchema):
    """A producer offers to supply the order from one of its active listings."""
    listing_id = body_int(required=True)
    quantity = body_int(required=True, metadata={"description": "In the listing's base unit."})
    unit_price = body_int(required=True, metadata={
        "description": "VND per unit; above the order's maximum only with a note."})
    note = text(NOTE_MAX, allow_none=True)


class RequestInSchema(ApiSchema):
    """A distributor asks for the listing against one of its open orders, at the listing's price."""
    order_id = body_int(required=True)
    quantity = body_int(required=True, metadata={"description": "In the listing's base unit."})
