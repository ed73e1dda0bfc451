"""Great-circle distance between provinces or coordinates."""
from __future__ import annotations

import math

from marketplace.geo.provinces import Province

# IUGG mean Earth radius; the sphere is within 0.5% of the ellipsoid, far
# finer than a province centroid.
EARTH_RADIUS_KM = 6371.0088

Point = Province | tuple[float, float]


def _lat_lon(point: Point) -> tuple[float, float]:
    if isinstance(point, Province):
        return point.lat, point.lon
    lat, lon = point
    return float(lat), float(lon)


def distance_km(a: Point, b: Point) -> float:
    """Haversine distance in km between two provinces' centroids or two
    (lat, lon) pairs in degrees."""
    lat1, lon1 = map(math.radians, _lat_lon(a))
    lat2, lon2 = map(math.radians, _lat_lon(b))
    # Haversine rather than the law of cosines: it stays accurate for the
    # short distances between neighbouring provinces.
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
