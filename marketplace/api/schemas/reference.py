"""Reference data: the fixed vocabularies listings and orders use."""
from __future__ import annotations

from marshmallow import fields

from marketplace.api.schemas.base import ApiSchema, Integer, List, Nested, String


class SubcategorySchema(ApiSchema):
    code = String()
    name = String(metadata={"description": "In the language of Accept-Language."})
    name_vi = String()
    name_en = String()
    parent = String(allow_none=True)


class CategorySchema(SubcategorySchema):
    """A product group; listings and orders use its subcategories' codes."""
    subcategories = List(Nested(SubcategorySchema))


class FormerProvinceSchema(ApiSchema):
    name = String()
    gso_code = String()


class ProvinceSchema(ApiSchema):
    """One of the 34 units since 1 July 2025; the 63 former provinces are aliases."""
    code = String()
    name = String()
    name_vi = String()
    name_en = String()
    gso_code = String()
    kind = String()
    region = String()
    lat = fields.Float()
    lon = fields.Float()
    aliases = List(String())
    former_provinces = List(Nested(FormerProvinceSchema))


class UnitSchema(ApiSchema):
    code = String()
    name = String()
    name_vi = String()
    name_en = String()
    base = String(metadata={"description": "The unit amounts are stored in."})
    factor = Integer(metadata={"description": "How many base units one of this unit is."})


class CertificationSchema(ApiSchema):
    code = String()
    name = String()
    description = String()
