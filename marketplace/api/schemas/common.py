"""Fields and pieces that listings and orders share."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from marshmallow import fields, post_load, validate

from marketplace.api.schemas.base import (
    ApiSchema,
    Between,
    Boolean,
    Integer,
    MaxLength,
    PageQuery,
    String,
    choice,
)
from marketplace.reference.categories import all_groups
from marketplace.reference.certifications import CERTIFICATIONS
from marketplace.reference.units import UNITS, get_unit
from marketplace.trade.checks import MAX_PRICE

STARS = (0, 3, 4, 5)
POSITIVE = _l("Enter a whole number greater than zero.")
PRICE = _l("Enter a price in whole dong, greater than zero.")
UNIT_CODES = [unit.code for unit in UNITS]
# Listed in the OpenAPI document so clients (and generated forms) know the
# vocabulary; the services still check them and name the field when wrong.
LEAF_CATEGORY_CODES = [c.code for g in all_groups() for c in g.children]
ALL_CATEGORY_CODES = [code for g in all_groups() for code in (g.code, *(c.code for c in g.children))]
CERTIFICATION_CODES = [c.code for c in CERTIFICATIONS]


class Code(String):
    """A code from a fixed list: compared without case or stray spaces."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


def stars_field(**kwargs) -> Integer:
    stars = validate.OneOf(STARS, error=_l("OCOP stars are 0 (none), 3, 4 or 5."))
    return Integer(strict=True, validate=stars, **kwargs)


def category_field(**kwargs) -> String:
    return String(validate=MaxLength(40), metadata={
        "description": "A sub-category code from GET /api/v1/categories, e.g. food.rice.",
        "enum": LEAF_CATEGORY_CODES}, **kwargs)


def unit_field(**kwargs) -> String:
    return String(validate=MaxLength(20), metadata={
        "description": "Any unit code from GET /api/v1/units. Quantities and prices in the same request "
                       "are in this unit; they are stored, and returned, in its base unit "
                       "(2 tan = 2000 kg)."}, **kwargs)


def province_field(**kwargs) -> String:
    return String(validate=MaxLength(80), metadata={
        "description": "A province code, name or pre-2025 name (aliases accepted); returned as the code."},
        **kwargs)


class PublicProfileSchema(ApiSchema):
    """The producer or distributor behind a listing or order."""
    id = Integer()
    display_name = String()
    province = String(attribute="profile.province_code")
    verified = fields.Function(lambda user: bool(user.profile and user.profile.verified_at),
                               metadata={"type": "boolean"})


class TradeQuery(PageQuery):
    """Filters shared by the catalogue and the demand board."""
    category = String(validate=MaxLength(40), metadata={"description": "A category or group code.",
                                                        "enum": ALL_CATEGORY_CODES})
    province = String(validate=MaxLength(80), metadata={"description": "Any province name, code or alias."})
    min_stars = Integer(validate=Between(0, 5))
    certification = String(validate=MaxLength(40), metadata={"enum": CERTIFICATION_CODES})
    min_price = Integer(validate=Between(0, MAX_PRICE), metadata={"description": "VND per base unit."})
    max_price = Integer(validate=Between(0, MAX_PRICE), metadata={"description": "VND per base unit."})
    unit = Code(validate=choice(UNIT_CODES), metadata={
        "description": "Rows sold in this unit's base unit (tan finds listings in kg)."})
    q = String(validate=MaxLength(100), metadata={
        "description": "Words to find; diacritics and case ignored."})
    mine = Boolean(load_default=False, metadata={"description": "Only your own rows, in any status."})

    @post_load
    def _base_unit(self, data, **kwargs):
        # Rows store the base unit, so a filter on tấn must look for kg.
        if data.get("unit"):
            data["unit"] = get_unit(data["unit"]).base
        return data
