"""Columnar (numpy) form of listings and orders, so rules run on arrays, not objects.

Dates become day ordinals, with sentinels standing for "no date" chosen so the
comparison in the rule passes; certifications become bitmasks over the
certifications some order requires; coordinates are deduplicated, because a
marketplace has few distinct points (34 provinces) and a distance table lookup
is much cheaper than haversine per pair.

Excluded (listing, order) pairs become int64 keys `listing row * orders + order
row`, sorted and unique, so a chunk of pairs is tested against them with one
searchsorted (excluded_rows); they live on Columns because forked candidate
workers inherit the Columns of the job (arcs.py).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, pairwise

import numpy as np

from .geo import distance_table_km, haversine_km
from .types import Demand, Supply

NO_EARLIEST_DAY = np.int32(0)  # a missing available_from is "already available"
NO_LATEST_DAY = np.int32(np.iinfo(np.int32).max)  # a missing until/needed_by never passes


@dataclass(frozen=True)
class SupplyColumns:
    ids: np.ndarray  # int64, sorted ascending
    block: np.ndarray  # int32 (category, unit) code; -1 when no order shares it
    quantity: np.ndarray  # int64
    price: np.ndarray  # int64
    stars: np.ndarray  # int8
    certs: np.ndarray  # uint64 (n, words)
    moq: np.ndarray  # int64
    available_from: np.ndarray  # int32 day ordinal
    available_until: np.ndarray  # int32 day ordinal
    coord: np.ndarray  # int32 index into Columns.supply_points
    reliability: np.ndarray  # float64 in [0, 1]


@dataclass(frozen=True)
class DemandColumns:
    ids: np.ndarray
    block: np.ndarray
    quantity: np.ndarray
    max_price: np.ndarray
    min_stars: np.ndarray
    required: np.ndarray  # uint64 (n, words)
    needed_by: np.ndarray
    allow_split: np.ndarray  # bool
    coord: np.ndarray


@dataclass(frozen=True)
class Columns:
    supplies: SupplyColumns
    demands: DemandColumns
    block_keys: list[tuple[str, str]]
    cert_names: list[str]  # bit i of a mask stands for cert_names[i]
    supply_points: np.ndarray  # (u, 2) lat, lon
    demand_points: np.ndarray
    distance_km: np.ndarray | None  # (u_supply, u_demand) or None when too large to tabulate
    now_day: int
    # Keys (listing row * len(demands.ids) + order row) of the pairs that may get no arc, sorted, unique.
    excluded: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))


def day(value: date | None, missing: np.int32) -> int:
    return int(missing) if value is None else value.toordinal()


def _points(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Complex numbers sort by (real, imaginary): the rows' (lat, lon) order, as
    # np.unique(axis=0) gives, for a fraction of its cost on 10**5 rows.
    points, inverse = np.unique(lat + 1j * lon, return_inverse=True)
    points = np.column_stack([points.real, points.imag]) if len(lat) else np.zeros((0, 2))
    return points, inverse.reshape(-1).astype(np.int32)


def _masks(sets: Sequence[frozenset[str]], bit_of: dict[str, int], words: int) -> np.ndarray:
    masks = np.zeros((len(sets), words), dtype=np.uint64)
    as_int: dict[frozenset[str], int] = {}  # few distinct sets: each is encoded once
    values = []
    for names in sets:
        names = names if isinstance(names, frozenset) else frozenset(names)
        value = as_int.get(names)
        if value is None:
            value = sum(1 << bit_of[name] for name in names if name in bit_of)
            as_int[names] = value
        values.append(value)
    for word in range(words):
        masks[:, word] = np.array([(v >> (64 * word)) & 0xFFFFFFFFFFFFFFFF for v in values], dtype=np.uint64)
    return masks


def build_columns(
    supplies: Sequence[Supply],
    demands: Sequence[Demand],
    now: date,
    max_table_cells: int = 4_000_000,
    excluded_pairs: Collection[tuple[int, int]] = (),
) -> Columns:
    """Encode both sides, each sorted by id so every later step is deterministic.

    excluded_pairs are (Supply.id, Demand.id); pairs naming an id not in the input are ignored.
    """
    supplies = sorted(supplies, key=lambda s: s.id)
    demands = sorted(demands, key=lambda d: d.id)
    for side in (supplies, demands):
        if any(a.id == b.id for a, b in pairwise(side)):
            raise ValueError("ids must be unique on each side")

    demand_keys = sorted({(d.category, d.unit) for d in demands})
    block_of = {key: code for code, key in enumerate(demand_keys)}
    cert_names = sorted({name for d in demands for name in d.required_certifications})
    bit_of = {name: bit for bit, name in enumerate(cert_names)}
    words = max(1, (len(cert_names) + 63) // 64)

    s_lat = np.fromiter((s.lat for s in supplies), float, len(supplies))
    s_lon = np.fromiter((s.lon for s in supplies), float, len(supplies))
    d_lat = np.fromiter((d.lat for d in demands), float, len(demands))
    d_lon = np.fromiter((d.lon for d in demands), float, len(demands))
    supply_points, s_coord = _points(s_lat, s_lon)
    demand_points, d_coord = _points(d_lat, d_lon)
    table = None
    if len(supply_points) * len(demand_points) <= max_table_cells:
        table = distance_table_km(supply_points, demand_points)

    def ints(values: list, dtype=np.int64) -> np.ndarray:
        return np.array(values, dtype=dtype).reshape(len(values))

    s_cols = SupplyColumns(
        ids=ints([s.id for s in supplies]),
        block=ints([block_of.get((s.category, s.unit), -1) for s in supplies], np.int32),
        quantity=ints([s.quantity for s in supplies]),
        price=ints([s.unit_price for s in supplies]),
        stars=ints([s.stars for s in supplies], np.int8),
        certs=_masks([s.certifications for s in supplies], bit_of, words),
        moq=ints([max(1, s.min_order_quantity) for s in supplies]),
        available_from=ints([day(s.available_from, NO_EARLIEST_DAY) for s in supplies], np.int32),
        available_until=ints([day(s.available_until, NO_LATEST_DAY) for s in supplies], np.int32),
        coord=s_coord,
        reliability=np.clip(np.fromiter((s.reliability for s in supplies), float, len(supplies)), 0.0, 1.0),
    )
    d_cols = DemandColumns(
        ids=ints([d.id for d in demands]),
        block=ints([block_of[(d.category, d.unit)] for d in demands], np.int32),
        quantity=ints([d.quantity for d in demands]),
        max_price=ints([d.max_unit_price for d in demands]),
        min_stars=ints([d.min_stars for d in demands], np.int8),
        required=_masks([d.required_certifications for d in demands], bit_of, words),
        needed_by=ints([day(d.needed_by, NO_LATEST_DAY) for d in demands], np.int32),
        allow_split=np.fromiter((d.allow_split for d in demands), bool, len(demands)),
        coord=d_coord,
    )
    return Columns(
        supplies=s_cols,
        demands=d_cols,
        block_keys=demand_keys,
        cert_names=cert_names,
        supply_points=supply_points,
        demand_points=demand_points,
        distance_km=table,
        now_day=now.toordinal(),
        excluded=_pair_keys(s_cols.ids, d_cols.ids, excluded_pairs),
    )


def _pair_keys(s_ids: np.ndarray, d_ids: np.ndarray, pairs: Collection[tuple[int, int]]) -> np.ndarray:
    """Sorted unique keys of the pairs whose both ids are in the input."""
    if isinstance(pairs, np.ndarray):
        pairs = pairs.astype(np.int64, copy=False).reshape(-1, 2)
    else:  # a third of np.array's time on a list of 10**6 tuples
        pairs = np.fromiter(chain.from_iterable(pairs), np.int64).reshape(-1, 2)
    if len(pairs) == 0 or len(s_ids) == 0 or len(d_ids) == 0:
        return np.zeros(0, np.int64)
    s_row = np.minimum(np.searchsorted(s_ids, pairs[:, 0]), len(s_ids) - 1)
    d_row = np.minimum(np.searchsorted(d_ids, pairs[:, 1]), len(d_ids) - 1)
    known = (s_ids[s_row] == pairs[:, 0]) & (d_ids[d_row] == pairs[:, 1])
    # Sort and drop repeats rather than np.unique: ~50x faster on 10**6 keys with numpy 2.x.
    keys = np.sort(s_row[known] * np.int64(len(d_ids)) + d_row[known])
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys


def excluded_rows(cols: Columns, s_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
    """For each (listing row, order row) pair, a bool: is it excluded."""
    excluded = cols.excluded
    if len(excluded) == 0:
        return np.zeros(len(s_idx), dtype=bool)
    keys = s_idx.astype(np.int64) * np.int64(len(cols.demands.ids)) + d_idx
    at = np.minimum(np.searchsorted(excluded, keys), len(excluded) - 1)
    return excluded[at] == keys


def pair_km(cols: Columns, s_idx: np.ndarray, d_idx: np.ndarray) -> np.ndarray:
    """Kilometres between the listing and the order of each pair."""
    s_coord = cols.supplies.coord[s_idx]
    d_coord = cols.demands.coord[d_idx]
    if cols.distance_km is not None:
        return cols.distance_km[s_coord, d_coord]
    a = cols.supply_points[s_coord]
    b = cols.demand_points[d_coord]
    return haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
