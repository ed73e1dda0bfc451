"""Great-circle distance, computed here so the engine needs nothing from marketplace.geo."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Elementwise (broadcasting) distance in km between points given in degrees."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(v, dtype=np.float64)) for v in (lat1, lon1, lat2, lon2))
    half_dlat = (lat2 - lat1) / 2
    half_dlon = (lon2 - lon1) / 2
    a = np.sin(half_dlat) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin(half_dlon) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def distance_table_km(points_a: np.ndarray, points_b: np.ndarray) -> np.ndarray:
    """Distances between every point of a and every point of b, shape (len(a), len(b))."""
    return haversine_km(points_a[:, None, 0], points_a[:, None, 1], points_b[None, :, 0], points_b[None, :, 1])
