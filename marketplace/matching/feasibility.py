"""The hard rules a listing/order pair must pass, over arrays of index pairs.

Listing-only and order-only rules (expired stock, overdue orders) are checked per
pair too, so explain.py can count them the same way; candidates.py drops such
rows before pairing, which is cheaper.
"""

from __future__ import annotations

import numpy as np

from .columns import Columns, pair_km

# Rule names, in the order explanations list them.
RULES = (
    "category_unit",
    "price",
    "stars",
    "certifications",
    "available_too_late",
    "listing_expired",
    "order_overdue",
    "min_order_quantity",
    "quantity_for_unsplit",
    "distance",
)


def has_required(certs: np.ndarray, required: np.ndarray) -> np.ndarray:
    if certs.shape[1] == 1:  # the usual case: fewer than 64 distinct required certifications
        return (certs[:, 0] & required[:, 0]) == required[:, 0]
    return np.all((certs & required) == required, axis=1)


def rule_passes(cols: Columns, s_idx: np.ndarray, d_idx: np.ndarray, config, km: np.ndarray | None = None) -> dict:
    """For each rule, a bool array: does the pair pass it."""
    s, d = cols.supplies, cols.demands
    now = cols.now_day
    if km is None and config.max_distance_km is not None:
        km = pair_km(cols, s_idx, d_idx)
    return {
        "category_unit": s.block[s_idx] == d.block[d_idx],
        "price": s.price[s_idx] <= d.max_price[d_idx],
        "stars": s.stars[s_idx] >= d.min_stars[d_idx],
        "certifications": has_required(s.certs[s_idx], d.required[d_idx]),
        # A missing date on either side passes: the sentinels make that automatic.
        "available_too_late": s.available_from[s_idx] <= d.needed_by[d_idx],
        "listing_expired": s.available_until[s_idx] >= now,
        "order_overdue": d.needed_by[d_idx] >= now,
        "min_order_quantity": s.moq[s_idx] <= d.quantity[d_idx],
        "quantity_for_unsplit": d.allow_split[d_idx] | (s.quantity[s_idx] >= d.quantity[d_idx]),
        "distance": (
            np.ones(len(s_idx), dtype=bool) if config.max_distance_km is None else km <= config.max_distance_km
        ),
    }


def feasible_mask(cols: Columns, s_idx: np.ndarray, d_idx: np.ndarray, config, km: np.ndarray | None = None):
    passes = rule_passes(cols, s_idx, d_idx, config, km)
    mask = passes["category_unit"]
    for rule in RULES[1:]:
        mask &= passes[rule]
    return mask & (cols.supplies.quantity[s_idx] > 0) & (cols.demands.quantity[d_idx] > 0)
