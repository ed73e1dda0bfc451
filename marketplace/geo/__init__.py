"""Geography: the 34 provincial-level units since 1 July 2025, the 63 former
provinces as aliases, and distances between them. Pure Python, so the
matching engine and the API can both use it."""
from marketplace.geo.distance import EARTH_RADIUS_KM, distance_km
from marketplace.geo.lookup import (
    all_provinces,
    as_dicts,
    fold,
    get_province,
    province_choices,
    resolve_province,
)
from marketplace.geo.provinces import FormerProvince, Province

__all__ = [
    "EARTH_RADIUS_KM", "FormerProvince", "Province", "all_provinces", "as_dicts",
    "distance_km", "fold", "get_province", "province_choices", "resolve_province",
]
