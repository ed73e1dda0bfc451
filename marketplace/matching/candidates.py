"""Candidate arcs per (category, unit) block, vectorised, without visiting every pair.

A block with S listings and D orders has S*D pairs: 10**8 and more at 100k x 100k,
too many to even score in numpy. Two facts avoid that:

* Within a group of listings at one point (one province) with one star count,
  only the price part of the score still depends on the pair, and it falls as
  the price rises. Listings sorted by price then turn "could this pair score at
  least L?" into a price threshold, and one searchsorted per (order, group)
  gives the prefix of listings worth visiting. The mirror image (orders grouped
  by point and required stars, sorted by maximum price) serves the listings' side.
* To keep an order's best k arcs we only need listings that can beat its k-th
  best score. A sample of orders, scored against everything, tells how far below
  its upper bound the k-th best lies (the median gap); each order first visits
  the listings within that gap, and those that find fewer than k (the bound was
  too tight) retry with a gap twice as wide, up to RETRY_ROUNDS times, and
  finally with no bound. A retry visits only the band between its bound and the
  previous one, never a pair twice. The result is the exact top k: every pair
  that could beat the k-th best was visited. (With 3 doublings instead of 6, the
  last, unbounded round visited 27M of the 44M pairs at 100k x 100k; with 6, the
  whole pass visits 20M and keeps the same arcs.)

A block whose pairs that pass the price and stars rules (and the distance rule,
when it can be checked per group) are at most 4 * max_arcs is enumerated in full
and its feasible arcs counted exactly; above that it is treated as over max_arcs
without an exact count, because counting would visit the pairs we are avoiding.

A pruned block keeps each side's best k = max(top_k, max_arcs // (S + D)) arcs:
pruning by score alone strands orders whose few best listings are everyone's
best (on the 10k x 10k benchmark, k = 8 matched 39 % less than the full arc
set), so k grows to spend the block's whole arc budget, and the repair round
(augment.py) connects what the first solve left over; pricing.py adds the arcs
the block's maximum flow needs. A block with at most config.keep_all_pairs
pairs to visit is not pruned.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from .columns import Columns, excluded_rows, pair_km
from .feasibility import has_required
from .scoring import distance_part, price_part
from .topk import chunk_bounds as _chunk_bounds
from .topk import concat as _concat
from .topk import top_k_mask as _top_k_mask

MAX_POINT_GROUPS = 64  # above this many distinct points in a block, listings form one group
PRICE_CAP = float(1 << 62)  # "no listing price reaches this": an order bound that admits nothing
SAMPLE_SIZE = 48
RETRY_ROUNDS = 6
FULL_ENUMERATION_FACTOR = 4
COUNT_SLICE = 4096  # rows per pass when bounding (groups x rows arrays of floats)
SPLIT_SIDES_ROWS = 10_000  # blocks with this many rows find each side's best k on its own thread


@dataclass(frozen=True)
class BlockArcs:
    supply: np.ndarray  # global listing index
    demand: np.ndarray  # global order index
    raw: np.ndarray  # raw score (see scoring.py)
    pruned: bool


class _Side:
    """One side of a block sorted by (point, stars, price), with per-group bounds.

    Grouping by stars as well as by point makes the stars rule a group-level
    check and tightens the bound on the listing-only part of the score.
    """

    def __init__(self, rows, prices, points, stars, term, best=np.max):
        unique_points = np.unique(points)
        grouped = len(unique_points) <= MAX_POINT_GROUPS
        point = np.searchsorted(unique_points, points) if grouped else np.zeros(len(rows), dtype=np.int64)
        combo = point.astype(np.int64) * 8 + stars.astype(np.int64)  # stars are 0..5
        combos, group = np.unique(combo, return_inverse=True)
        group = group.reshape(-1)
        order = np.lexsort((rows, prices, group))
        self.rows = rows[order]
        self.prices = prices[order]
        self.group = group[order]
        self.grouped = grouped
        self.point_of_group = unique_points[combos // 8] if grouped else None
        self.stars_of_group = combos % 8
        n_groups = len(combos)
        self.start = np.searchsorted(self.group, np.arange(n_groups), "left")
        self.end = np.searchsorted(self.group, np.arange(n_groups), "right")
        sorted_term = term[self.rows]
        self.term_bound = np.array([best(sorted_term[a:b]) for a, b in zip(self.start, self.end, strict=True)])
        self.n_groups = n_groups

    def search(self, values: np.ndarray, side: str) -> np.ndarray:
        """Positions (in the sorted side) of values[g, :] among group g's prices.

        One searchsorted per group over its own slice: a few hundred prices
        instead of the whole block, so each lookup takes half the steps and
        stays in cache.
        """
        out = np.empty(values.shape, dtype=np.int64)
        for g, (a, b) in enumerate(zip(self.start.tolist(), self.end.tolist(), strict=True)):
            out[g] = a + np.searchsorted(self.prices[a:b], values[g], side)
        return out


class BlockGenerator:
    def __init__(self, cols: Columns, config, s_rows: np.ndarray, d_rows: np.ndarray, s_term, d_term):
        self.cols, self.config = cols, config
        self.s_rows, self.d_rows = s_rows, d_rows
        self.s_term, self.d_term = s_term, d_term
        s, d = cols.supplies, cols.demands
        self.S = _Side(s_rows, s.price[s_rows], s.coord[s_rows], s.stars[s_rows], s_term)
        self.D = _Side(d_rows, d.max_price[d_rows], d.coord[d_rows], d.min_stars[d_rows], d_term, best=np.min)
        self.w_price, self.w_dist = config.weight_price, config.weight_distance
        self.cap = config.full_price_saving
        # A pruned block spends its whole arc budget (see the module docstring).
        self.k = max(config.top_k, config.max_arcs // (len(s_rows) + len(d_rows)))

    # ---- distance parts between point groups and the other side's rows -------------

    def _group_distance(self, side: _Side, other_points: np.ndarray, side_is_supply: bool):
        """(weighted distance part upper bound, km or None) per (group, other row)."""
        table = self.cols.distance_km
        if not side.grouped or table is None:
            return np.full((side.n_groups, len(other_points)), self.w_dist), None
        if side_is_supply:
            km = table[side.point_of_group[:, None], other_points[None, :]]
        else:
            km = table[other_points[None, :], side.point_of_group[:, None]]
        return self.w_dist * distance_part(km, self.config), km

    # ---- counting and enumerating the pairs worth visiting -------------------------------

    def _order_counts(self, d_rows: np.ndarray, lower: np.ndarray):
        """For each (listing group, order): where the visited prefix of the group starts and ends."""
        return _in_slices(self._order_counts_slice, d_rows, lower)

    def _listing_counts(self, s_rows: np.ndarray, lower: np.ndarray):
        """For each (order group, listing): the visited suffix of the group (by max price)."""
        return _in_slices(self._listing_counts_slice, s_rows, lower)

    def _order_counts_slice(self, d_rows: np.ndarray, lower: np.ndarray):
        S, d = self.S, self.cols.demands
        dist_bound, km = self._group_distance(S, d.coord[d_rows], True)
        need = lower[None, :] + self.d_term[d_rows][None, :] - dist_bound - S.term_bound[:, None]
        max_price = d.max_price[d_rows].astype(np.float64)[None, :]
        with np.errstate(invalid="ignore", over="ignore"):
            if self.w_price > 0:
                by_score = np.floor(max_price * (1.0 - self.cap * need / self.w_price)) + 1
                threshold = np.where(need <= 0, max_price, np.minimum(by_score, max_price))
                threshold = np.where(need > self.w_price, -1.0, threshold)
            else:
                threshold = np.where(need <= 0, max_price, -1.0)
        if km is not None and self.config.max_distance_km is not None:
            threshold = np.where(km > self.config.max_distance_km, -1.0, threshold)
        threshold = np.where(S.stars_of_group[:, None] < d.min_stars[d_rows][None, :], -1.0, threshold)
        threshold = np.maximum(threshold, -1).astype(np.int64)
        end = S.search(threshold, "right")
        start = np.broadcast_to(S.start[:, None], end.shape)
        return start, np.maximum(end, start)

    def _listing_counts_slice(self, s_rows: np.ndarray, lower: np.ndarray):
        D, s = self.D, self.cols.supplies
        dist_bound, km = self._group_distance(D, s.coord[s_rows], False)
        need = lower[None, :] - self.s_term[s_rows][None, :] - dist_bound + D.term_bound[:, None]
        price = s.price[s_rows].astype(np.float64)[None, :]
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            if self.w_price > 0:
                factor = 1.0 - self.cap * need / self.w_price
                by_score = np.where(factor > 0, np.ceil(price / factor) - 1, np.inf)
                by_score = np.where(price == 0, 0.0, by_score)
                lowest = np.where(need <= 0, price, np.maximum(by_score, price))
                lowest = np.where(need > self.w_price, np.inf, lowest)
            else:
                lowest = np.where(need <= 0, price, np.inf)
        if km is not None and self.config.max_distance_km is not None:
            lowest = np.where(km > self.config.max_distance_km, np.inf, lowest)
        lowest = np.where(D.stars_of_group[:, None] > s.stars[s_rows][None, :], np.inf, lowest)
        lowest = np.minimum(lowest, PRICE_CAP).astype(np.int64)
        start = D.search(lowest, "left")
        end = np.broadcast_to(D.end[:, None], start.shape)
        return np.minimum(start, end), end

    def _pairs(self, own_rows, start, end, side: _Side, own_is_demand: bool):
        """Evaluate the visited pairs in chunks; yields (listing, order, raw, own position)."""
        counts = (end - start).T  # (own rows, groups): own-row-major enumeration
        per_row = counts.sum(axis=1)
        bounds = _chunk_bounds(per_row, self.config.chunk_pairs)
        for a, b in pairwise(bounds):
            c = counts[a:b].ravel()
            total = int(c.sum())
            if total == 0:
                continue
            first = start.T[a:b].ravel()
            seg = np.repeat(np.arange(len(c)), c)
            offset = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
            other = side.rows[np.repeat(first, c) + offset]
            own_pos = a + seg // side.n_groups
            own = own_rows[own_pos]
            s_idx, d_idx = (other, own) if own_is_demand else (own, other)
            keep, raw = self._evaluate(s_idx, d_idx)
            yield s_idx[keep], d_idx[keep], raw, own_pos[keep]

    def _evaluate(self, s_idx, d_idx):
        """Rules not settled by the block and the thresholds, then raw scores."""
        s, d, config = self.cols.supplies, self.cols.demands, self.config
        ok = s.price[s_idx] <= d.max_price[d_idx]
        ok &= s.stars[s_idx] >= d.min_stars[d_idx]
        ok &= s.available_from[s_idx] <= d.needed_by[d_idx]
        ok &= s.moq[s_idx] <= d.quantity[d_idx]
        ok &= d.allow_split[d_idx] | (s.quantity[s_idx] >= d.quantity[d_idx])
        if d.required.any():
            ok &= has_required(s.certs[s_idx], d.required[d_idx])
        keep = np.flatnonzero(ok)
        s_idx, d_idx = s_idx[keep], d_idx[keep]
        if len(self.cols.excluded):
            # Dropped here, before any top-k choice, so an excluded pair never takes
            # the place of an arc that may be used; the repair round's arcs come
            # through here too.
            allowed = ~excluded_rows(self.cols, s_idx, d_idx)
            keep, s_idx, d_idx = keep[allowed], s_idx[allowed], d_idx[allowed]
        km = pair_km(self.cols, s_idx, d_idx)
        if config.max_distance_km is not None:
            near = km <= config.max_distance_km
            keep, s_idx, d_idx, km = keep[near], s_idx[near], d_idx[near], km[near]
        raw = (
            self.w_price * price_part(s.price[s_idx], d.max_price[d_idx], config)
            + self.w_dist * distance_part(km, config)
            + self.s_term[s_idx]
            - self.d_term[d_idx]
        )
        return keep, raw

    # ---- the block ----------------------------------------------------------------------

    def pairs_to_visit(self) -> int:
        """Pairs passing the price and stars rules (and the distance rule per group)."""
        if self.config.max_distance_km is not None:
            return self._pairs_to_visit_by_groups()
        # Price and stars only: per star level of the listings, one search per order.
        s, d = self.cols.supplies, self.cols.demands
        stars, prices = s.stars[self.s_rows], s.price[self.s_rows]
        max_price, min_stars = d.max_price[self.d_rows], d.min_stars[self.d_rows]
        total = 0
        for level in np.unique(stars).tolist():
            level_prices = np.sort(prices[stars == level])
            total += int(np.searchsorted(level_prices, max_price[min_stars <= level], "right").sum())
        return total

    def _pairs_to_visit_by_groups(self) -> int:
        start, end = self._order_counts(self.d_rows, np.full(len(self.d_rows), -np.inf))
        return int((end - start).sum())

    def run(self, keep_all: bool = False) -> BlockArcs:
        max_arcs = self.config.max_arcs
        no_bound = np.full(len(self.d_rows), -np.inf)
        start, end = self._order_counts(self.d_rows, no_bound)
        visited = int((end - start).sum())
        if keep_all or visited <= FULL_ENUMERATION_FACTOR * max_arcs:
            parts = list(self._pairs(self.d_rows, start, end, self.S, own_is_demand=True))
            s_idx, d_idx, raw = _concat(parts)
            if keep_all or len(s_idx) <= max_arcs:
                return BlockArcs(s_idx, d_idx, raw, pruned=False)
            keep = _top_k_mask(d_idx, raw, s_idx, self.k) | _top_k_mask(s_idx, raw, d_idx, self.k)
            return BlockArcs(s_idx[keep], d_idx[keep], raw[keep], pruned=True)
        if len(self.s_rows) + len(self.d_rows) >= SPLIT_SIDES_ROWS and self.config.workers != 1:
            # A large block is most of the work: its two sides run on two threads.
            with ThreadPoolExecutor(max_workers=1) as pool:
                listing_side = pool.submit(self._best_per_row, self.s_rows, False)
                by_order = self._best_per_row(self.d_rows, for_orders=True)
                by_listing = listing_side.result()
        else:
            by_order = self._best_per_row(self.d_rows, for_orders=True)
            by_listing = self._best_per_row(self.s_rows, for_orders=False)
        s_idx, d_idx, raw = _concat([by_order, by_listing])
        n_orders = len(self.cols.demands.ids)
        _, first = np.unique(s_idx * n_orders + d_idx, return_index=True)
        return BlockArcs(s_idx[first], d_idx[first], raw[first], pruned=True)

    def _upper_bounds(self, rows, for_orders: bool) -> np.ndarray:
        if for_orders:
            dist_bound, _ = self._group_distance(self.S, self.cols.demands.coord[rows], True)
            return (dist_bound + self.S.term_bound[:, None]).max(axis=0) + self.w_price - self.d_term[rows]
        dist_bound, _ = self._group_distance(self.D, self.cols.supplies.coord[rows], False)
        return (dist_bound - self.D.term_bound[:, None]).max(axis=0) + self.w_price + self.s_term[rows]

    def _visit(self, rows, lower, for_orders: bool, seen=None):
        """Pairs of the rows worth visiting under `lower`; with `seen` (the edge returned
        by the previous, tighter visit of the same rows), only the band not visited yet.
        Returns (pairs, edge)."""
        if for_orders:  # a group's visited part is a prefix (by price) that grows as lower falls
            start, end = self._order_counts(rows, lower)
            if seen is not None:
                start = np.minimum(seen, end)
            return self._pairs(rows, start, end, self.S, own_is_demand=True), end
        start, end = self._listing_counts(rows, lower)  # a suffix (by maximum price)
        if seen is not None:
            end = np.maximum(seen, start)
        return self._pairs(rows, start, end, self.D, own_is_demand=False), start

    def _best_per_row(self, rows: np.ndarray, for_orders: bool):
        """Exact top-k arcs of every row (order or listing), visiting each pair at most once.

        Each retry visits only the band between the previous bound and the wider
        one; a row's best k are then the best k of what its rounds kept (each
        round kept the best k of a disjoint band, so nothing better was dropped).
        """
        k = self.k
        upper = self._upper_bounds(rows, for_orders)
        gap = self._typical_gap(rows, upper, for_orders)
        kept = []
        pending = np.arange(len(rows))
        seen = None
        for round_no in range(RETRY_ROUNDS + 1):
            if len(pending) == 0:
                break
            last = round_no == RETRY_ROUNDS or not np.isfinite(gap)
            lower = np.full(len(pending), -np.inf) if last else upper[pending] - gap * (2**round_no)
            pairs, edge = self._visit(rows[pending], lower, for_orders, seen)
            for s_idx, d_idx, raw, pos in pairs:
                own, other = (d_idx, s_idx) if for_orders else (s_idx, d_idx)
                keep = _top_k_mask(own, raw, other, k)
                kept.append((s_idx[keep], d_idx[keep], raw[keep], pending[pos[keep]]))
            if last:
                break
            # Fewer than k arcs above the bound: the bound may have hidden better ones.
            # Counting among the kept arcs suffices: each band kept its best k.
            lower_of = np.full(len(rows), np.inf)
            lower_of[pending] = lower
            found = np.zeros(len(rows), dtype=np.int64)
            for _, _, raw, row in kept:
                found += np.bincount(row[raw >= lower_of[row]], minlength=len(rows))
            retry = found[pending] < k
            pending, seen = pending[retry], edge[:, retry]
        if not kept:
            return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
        s_idx, d_idx, raw, row = (np.concatenate(x) for x in zip(*kept, strict=True))
        final = _top_k_mask(row, raw, s_idx if for_orders else d_idx, k)
        return s_idx[final], d_idx[final], raw[final]

    def _typical_gap(self, rows, upper, for_orders: bool) -> float:
        """How far below its upper bound a row's k-th best score lies for the median sampled row."""
        k = self.k
        sample = np.unique(np.linspace(0, len(rows) - 1, min(SAMPLE_SIZE, len(rows))).astype(np.int64))
        best = [[] for _ in sample]
        pairs, _ = self._visit(rows[sample], np.full(len(sample), -np.inf), for_orders)
        for _s, _d, raw, pos in pairs:
            for p in np.unique(pos):
                best[p].append(raw[pos == p])
        gaps = []
        for p, chunks in enumerate(best):
            scores = np.concatenate(chunks) if chunks else np.zeros(0)
            if len(scores) >= k:
                gaps.append(upper[sample[p]] - np.partition(scores, len(scores) - k)[len(scores) - k])
        if not gaps:
            return np.inf
        return float(np.quantile(gaps, 0.5)) + 1e-9


def _in_slices(count, rows: np.ndarray, lower: np.ndarray):
    """count(rows, lower) over slices of rows: its (groups x rows) temporaries stay small."""
    if len(rows) <= COUNT_SLICE:
        start, end = count(rows, lower)
        return np.ascontiguousarray(start), end
    parts = [count(rows[a : a + COUNT_SLICE], lower[a : a + COUNT_SLICE]) for a in range(0, len(rows), COUNT_SLICE)]
    return np.hstack([p[0] for p in parts]), np.hstack([p[1] for p in parts])
