"""/api/v1/categories, provinces, units, certifications: public, in the
language of Accept-Language."""
from __future__ import annotations

from flask_babel import get_locale

from marketplace import geo
from marketplace.api.blueprint import api_blueprint
from marketplace.api.schemas.reference import CategorySchema, CertificationSchema, ProvinceSchema, UnitSchema
from marketplace.reference import categories, certifications, units

bp = api_blueprint("api_reference", __name__, "Reference data: the codes listings and orders use.")


def _locale() -> str:
    return str(get_locale() or "vi")


@bp.route("/categories", methods=["GET"], endpoint="categories")
@bp.response(200, CategorySchema(many=True))
def list_categories():
    """Product groups and their subcategories"""
    return categories.as_dicts(_locale())


@bp.route("/provinces", methods=["GET"], endpoint="provinces")
@bp.response(200, ProvinceSchema(many=True))
def list_provinces():
    """The 34 provinces and cities, with their former names as aliases"""
    return geo.as_dicts(_locale())


@bp.route("/units", methods=["GET"], endpoint="units")
@bp.response(200, UnitSchema(many=True))
def list_units():
    """Units of sale and the base unit each is stored in"""
    return units.as_dicts(_locale())


@bp.route("/certifications", methods=["GET"], endpoint="certifications")
@bp.response(200, CertificationSchema(many=True))
def list_certifications():
    """Certifications a listing can hold and an order can require"""
    return certifications.as_dicts(_locale())
