"""Listings: what a producer sends (ListingIn, ListingPatch) and what the API returns (Listing)."""
from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from marshmallow import fields

from marketplace.api.schemas.base import (
    COMMON_MESSAGES,
    ApiSchema,
    Between,
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
from marketplace.listings.search import LISTING_SORTS
from marketplace.models import ListingStatus
from marketplace.trade.checks import CERT_NUMBER_MAX, CODE_MAX, DESCRIPTION_MAX, TITLE_MAX, CertificateInput


class CertificateInSchema(ApiSchema):
    code = Code(required=True, validate=MaxLength(40), metadata={
        "description": "A code from GET /api/v1/certifications.", "enum": CERTIFICATION_CODES})
    number = text(CERT_NUMBER_MAX, allow_none=True)
    expires_on = Date(allow_none=True, metadata={"description": "An expired certificate counts nowhere."})


class CertificateField(fields.Field):
    """A certificate: a bare code ("vietgap") or {code, number, expires_on}."""
    default_error_messages = {**COMMON_MESSAGES, "invalid": _l(
        "Give a certification code, or an object with code, number and expires_on.")}

    def _deserialize(self, value, attr, data, **kwargs) -> CertificateInput:
        if isinstance(value, str):
            return CertificateInput(value.strip().lower())
        if isinstance(value, Mapping):
            return CertificateInput(**CertificateInSchema().load(value))
        raise self.make_error("invalid")


CERTIFICATE_DOC = {"oneOf": [{"type": "string", "enum": CERTIFICATION_CODES},
                             {"$ref": "#/components/schemas/CertificateIn"}]}


class ListingInSchema(ApiSchema):
    """A new listing. Amounts are in ``unit``; ``status`` is draft or active (the default)."""
    title = text(TITLE_MAX, required=True)
    description = text(DESCRIPTION_MAX, allow_none=True)
    category = category_field(required=True)
    unit = unit_field(required=True)
    quantity = body_quantity(required=True, metadata={"description": "In `unit`; decimals when they come to whole "
                                                                      "base units (1.5 tan = 1500 kg)."})
    min_order_quantity = body_quantity(metadata={"description": "In `unit`; default 1."})
    unit_price = body_int(required=True, validate=Between(1, message=PRICE),
                          metadata={"description": "Whole VND per `unit`."})
    available_from = Date(allow_none=True)
    available_until = Date(allow_none=True)
    stars = stars_field(metadata={"description": "OCOP stars: 0 (none, the default), 3, 4 or 5."})
    certifications = List(CertificateField(metadata=CERTIFICATE_DOC))
    traceability_code = text(CODE_MAX, allow_none=True)
    raw_material_area_code = text(CODE_MAX, allow_none=True)
    gtin = text(20, allow_none=True, metadata={
        "description": "A GS1 GTIN: 8, 12, 13 or 14 digits with a valid check digit. Its lots get GS1 Digital Links."})
    province = province_field(required=True)
    status = String(validate=choice(("draft", "active")),
                    metadata={"description": "draft keeps it off the catalogue; active (default) lists it."})


class ListingPatchSchema(ListingInSchema):
    """Any subset of the fields. Changing ``unit`` needs every amount again.
    ``status`` alone pauses (paused) or puts on sale (active)."""
    status = String(validate=choice(("active", "paused")),
                    metadata={"description": "active or paused; send it on its own."})


class CertificateSchema(ApiSchema):
    code = String()
    number = String(allow_none=True)
    expires_on = Date(allow_none=True)


class PhotoSchema(ApiSchema):
    id = Integer()
    position = Integer(metadata={"description": "0 is the cover."})
    url = String(metadata={"description": "WebP, about 1,600 px on its longer side; never changes (cache it)."})
    thumb_url = String(metadata={"description": "WebP, about 400 px."})
    width = Integer()
    height = Integer()


def _photos(listing) -> list[dict]:
    from marketplace.listings.photos import photo_json

    return [photo_json(photo) for photo in listing.photos]


def _public_url(listing) -> str | None:
    from marketplace.listings.links import product_url
    from marketplace.listings.search import is_public

    return product_url(listing.id, listing.title) if is_public(listing) else None


class ListingSchema(ApiSchema):
    """A listing as stored: amounts in the base unit, the province as its code."""
    id = Integer()
    title = String()
    description = String()
    category = String()
    unit = String(metadata={"description": "The base unit the amounts are in."})
    quantity = Integer()
    min_order_quantity = Integer()
    unit_price = Integer(metadata={"description": "VND per base unit."})
    available_from = Date(allow_none=True)
    available_until = Date(allow_none=True)
    stars = Integer()
    certifications = List(Nested(CertificateSchema))
    traceability_code = String(allow_none=True)
    raw_material_area_code = String(allow_none=True)
    gtin = String(allow_none=True)
    province = String(attribute="province_code")
    status = Enum(ListingStatus)
    reserved_quantity = Integer(metadata={"description": "Held by live matches (under review, waiting for answers, "
                                                         "confirmed or shipped)."})
    sold_quantity = Integer(metadata={"description": "Received by buyers, all deals together."})
    revenue = Integer(metadata={"description": "VND: what buyers received, at each deal's price."})
    available_quantity = Integer(metadata={"description": "quantity - reserved_quantity."})
    producer = Nested(PublicProfileSchema)
    photos = fields.Function(_photos, metadata={"type": "array", "items": {"$ref": "#/components/schemas/Photo"},
                                                "description": "In order; the first is the cover."})
    public_url = fields.Function(_public_url, metadata={
        "type": "string", "nullable": True,
        "description": "The product page anyone opens without an account (/p/<id>-<slug>); null unless on sale."})
    takedown_reason = String(allow_none=True, metadata={
        "description": "Why the programme staff took it down; null unless taken down."})
    taken_down_at = DateTime(allow_none=True)
    created_at = DateTime()
    updated_at = DateTime()


class ListingQuerySchema(TradeQuery):
    sort = String(load_default="newest", validate=choice(LISTING_SORTS), metadata={
        "description": "distance is from your profile's province."})
