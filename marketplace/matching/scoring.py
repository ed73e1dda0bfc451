"""score_arc and its breakdown, written once over arrays and used for single pairs too.

raw score = w_price * price_part + w_distance * distance_part
          + w_stars * stars_part + w_availability * availability_part
score     = min_score + (1 - min_score) * raw / (sum of weights)      in (0, 1]

price_part        = min(saving / full_price_saving, 1), saving = 1 - price / max price
distance_part     = 1 - min(km, far_km) / far_km
stars_part        = (stars - min_stars) / 5           (feasible pairs have stars >= min_stars)
availability_part = 1 - min(ready_in_days, horizon) / horizon, ready_in_days = max(0, from - now)
reliability_part  = the producer's reliability in [0, 1] (0.5 for a new producer), given by the caller

Only the price and distance parts depend on both sides; the stars part splits into
a listing term minus an order term and the availability and reliability parts are
the listing's alone. candidates.py relies on that split to bound scores without visiting pairs.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from .columns import Columns, build_columns, pair_km
from .feasibility import feasible_mask
from .types import Demand, MatchConfig, ScoreBreakdown, Supply, build_many

STAR_RANGE = 5.0


def total_weight(config: MatchConfig) -> float:
    return (config.weight_price + config.weight_distance + config.weight_stars + config.weight_availability
            + config.weight_reliability)


def price_part(price: np.ndarray, max_price: np.ndarray, config: MatchConfig) -> np.ndarray:
    saving = 1.0 - price / np.maximum(max_price, 1)
    return np.clip(saving / config.full_price_saving, 0.0, 1.0)


def distance_part(km: np.ndarray, config: MatchConfig) -> np.ndarray:
    return 1.0 - np.minimum(km, config.far_km) / config.far_km


def availability_part(available_from: np.ndarray, now_day: int, config: MatchConfig) -> np.ndarray:
    ready_in = np.maximum(available_from.astype(np.int64) - now_day, 0)
    return 1.0 - np.minimum(ready_in, config.availability_horizon_days) / config.availability_horizon_days


def supply_term(cols: Columns, config: MatchConfig) -> np.ndarray:
    """The listing-only share of the raw score (stars, availability, reliability)."""
    s = cols.supplies
    return (
        config.weight_stars * s.stars.astype(np.float64) / STAR_RANGE
        + config.weight_availability * availability_part(s.available_from, cols.now_day, config)
        + config.weight_reliability * s.reliability
    )


def demand_term(cols: Columns, config: MatchConfig) -> np.ndarray:
    """The order-only share of the raw score, subtracted (stars it demands anyway)."""
    return config.weight_stars * cols.demands.min_stars.astype(np.float64) / STAR_RANGE


def raw_scores(
    cols: Columns,
    s_idx: np.ndarray,
    d_idx: np.ndarray,
    config: MatchConfig,
    supply_terms: np.ndarray,
    demand_terms: np.ndarray,
    km: np.ndarray | None = None,
) -> np.ndarray:
    if km is None:
        km = pair_km(cols, s_idx, d_idx)
    return (
        config.weight_price * price_part(cols.supplies.price[s_idx], cols.demands.max_price[d_idx], config)
        + config.weight_distance * distance_part(km, config)
        + supply_terms[s_idx]
        - demand_terms[d_idx]
    )


def to_score(raw: np.ndarray, config: MatchConfig) -> np.ndarray:
    score = config.min_score + (1.0 - config.min_score) * raw / total_weight(config)
    return np.clip(score, config.min_score, 1.0)


def pair_scores(cols: Columns, s_idx: np.ndarray, d_idx: np.ndarray, config: MatchConfig) -> np.ndarray:
    """Final scores for index pairs (feasibility is the caller's business)."""
    raw = raw_scores(cols, s_idx, d_idx, config, supply_term(cols, config), demand_term(cols, config))
    return to_score(raw, config)


def breakdowns(
    cols: Columns, s_idx: np.ndarray, d_idx: np.ndarray, scores: np.ndarray, config: MatchConfig
) -> list[ScoreBreakdown]:
    s, d = cols.supplies, cols.demands
    price, max_price = s.price[s_idx], d.max_price[d_idx]
    km = pair_km(cols, s_idx, d_idx)
    ready_day = np.maximum(s.available_from[s_idx].astype(np.int64), cols.now_day)
    needed = d.needed_by[d_idx].astype(np.int64)
    has_deadline = d.needed_by[d_idx] != np.iinfo(np.int32).max
    parts = (
        price_part(price, max_price, config),
        distance_part(km, config),
        (s.stars[s_idx].astype(np.float64) - d.min_stars[d_idx]) / STAR_RANGE,
        availability_part(s.available_from[s_idx], cols.now_day, config),
    )
    saving_pct = 100.0 * (1.0 - price / np.maximum(max_price, 1))
    slack = np.where(has_deadline, needed - ready_day, 0)
    # Columns become Python lists once; building 10**5 objects field by field from
    # numpy scalars would cost several times more.
    rows = zip(
        np.round(saving_pct, 2).tolist(),
        np.round(km, 1).tolist(),
        s.stars[s_idx].tolist(),
        d.min_stars[d_idx].tolist(),
        (ready_day - cols.now_day).tolist(),
        [v if h else None for v, h in zip(slack.tolist(), has_deadline.tolist(), strict=True)],
        *(np.round(part, 6).tolist() for part in parts),
        np.asarray(scores, dtype=np.float64).tolist(),
        np.round(s.reliability[s_idx], 6).tolist(), strict=True,
    )
    return build_many(ScoreBreakdown, rows)


def _single_pair(supply: Supply, demand: Demand, now: date) -> Columns:
    return build_columns([supply], [demand], now)


def score_arc(supply: Supply, demand: Demand, *, now: date, config: MatchConfig | None = None) -> float | None:
    """The pair's score in (0, 1], or None when the pair is infeasible."""
    config = config or MatchConfig()
    cols = _single_pair(supply, demand, now)
    zero = np.zeros(1, dtype=np.int64)
    if not feasible_mask(cols, zero, zero, config)[0]:
        return None
    return float(pair_scores(cols, zero, zero, config)[0])


def score_breakdown(
    supply: Supply, demand: Demand, *, now: date, config: MatchConfig | None = None
) -> ScoreBreakdown | None:
    config = config or MatchConfig()
    cols = _single_pair(supply, demand, now)
    zero = np.zeros(1, dtype=np.int64)
    if not feasible_mask(cols, zero, zero, config)[0]:
        return None
    return breakdowns(cols, zero, zero, pair_scores(cols, zero, zero, config), config)[0]
