"""Baselines over ALL feasible pairs, independent of the engine's candidate pruning.

Both walk every (category, unit) block's feasible pairs in chunks, with their own
enumeration (listings sorted by price; each order visits the listings priced at
most its maximum, then the full rule set of feasibility.py and the score of
scoring.py are applied: those define the problem, they prune nothing). Blocks
share no listing or order, so each is settled alone and only one block's arcs are
in memory at a time.

* greedy(): best score first over all feasible pairs, with the engine's rules: a
  non-split order takes its whole quantity from one listing or nothing, and an
  allocation below the listing's minimum order is skipped. Scores are compared at
  the engine's integer scale (round(score * score_scale)), ties in enumeration order.
* bound(): an upper bound on the quantity and, separately, on the total score of
  any allocation (so on the engine's answer whatever the rules it obeys):
  - a block with at most exact_arcs feasible pairs: the flow relaxation itself
    (OR-Tools): max flow for the quantity, the max-score transport LP for the score;
  - a denser block: an LP dual bound that needs no arc list. For any price p the
    set {listings priced <= p} + {orders whose maximum price is > p} covers every
    feasible pair (a pair with listing price > p and order maximum <= p fails the
    price rule). Giving each covered listing u_i = 1 (resp. its best gain over its
    feasible pairs) and each covered order v_j = 1 (resp. its best gain) is a
    feasible dual of the max-flow LP (resp. of the max-score LP: u_i + v_j >= gain_ij
    for every feasible pair), so sum(cap_i u_i) + sum(dem_j v_j) bounds the LP
    optimum, which bounds every integral allocation. The bound is the minimum over
    all p (one sort and a cumulative sum), over rows that have a feasible pair.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from marketplace.matching.columns import Columns
from marketplace.matching.feasibility import feasible_mask
from marketplace.matching.scoring import demand_term, raw_scores, supply_term, to_score

CHUNK_PAIRS = 2_000_000
GREEDY_STEP = 65_536
IDX_BITS = 40


@dataclass
class BlockPairs:
    s: np.ndarray  # int32 global listing row
    d: np.ndarray  # int32 global order row
    gain: np.ndarray  # int32 round(score * scale)


def blocks(cols: Columns):
    """(block, listing rows, order rows) with the one-sided rules applied."""
    s, d = cols.supplies, cols.demands
    s_live = np.flatnonzero((s.block >= 0) & (s.available_until >= cols.now_day) & (s.quantity > 0))
    d_live = np.flatnonzero((d.needed_by >= cols.now_day) & (d.quantity > 0))
    for b in range(len(cols.block_keys)):
        sr = s_live[s.block[s_live] == b]
        dr = d_live[d.block[d_live] == b]
        if len(sr) and len(dr):
            yield b, sr, dr


def block_pairs(cols: Columns, config, s_rows, d_rows, s_term, d_term) -> BlockPairs:
    """Every feasible pair of one block, with its integer gain."""
    s, d = cols.supplies, cols.demands
    s_sorted = s_rows[np.argsort(s.price[s_rows], kind="stable")]
    prices = s.price[s_sorted]
    reach = np.searchsorted(prices, d.max_price[d_rows], "right")  # listings priced <= the order's maximum
    out_s, out_d, out_g = [], [], []
    cum = np.cumsum(reach)
    start = 0
    while start < len(d_rows):
        base = cum[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(cum, base + CHUNK_PAIRS, "right")))
        counts = reach[start:stop]
        total = int(counts.sum())
        if total:
            own = np.repeat(np.arange(start, stop), counts)
            offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            si, di = s_sorted[offset], d_rows[own]
            ok = feasible_mask(cols, si, di, config)
            if len(cols.excluded):
                keys = si.astype(np.int64) * len(d.ids) + di
                at = np.minimum(np.searchsorted(cols.excluded, keys), len(cols.excluded) - 1)
                ok &= cols.excluded[at] != keys
            si, di = si[ok], di[ok]
            score = to_score(raw_scores(cols, si, di, config, s_term, d_term), config)
            gain = np.maximum(np.rint(score * config.score_scale), 1).astype(np.int32)
            out_s.append(si.astype(np.int32))
            out_d.append(di.astype(np.int32))
            out_g.append(gain)
        start = stop
    if not out_s:
        z = np.zeros(0, np.int32)
        return BlockPairs(z, z, z)
    return BlockPairs(np.concatenate(out_s), np.concatenate(out_d), np.concatenate(out_g))


def _greedy_block(cols: Columns, pairs: BlockPairs, config, stock, room, untouched) -> tuple[int, int]:
    s, d = cols.supplies, cols.demands
    n = len(pairs.s)
    if n == 0:
        return 0, 0
    top = config.score_scale + 1
    key = top - pairs.gain.astype(np.int64)
    key <<= IDX_BITS
    key |= np.arange(n, dtype=np.int64)
    key.sort()
    mask = (1 << IDX_BITS) - 1
    moq, split, want = s.moq, d.allow_split, d.quantity
    quantity = gain_total = 0
    for a in range(0, n, GREEDY_STEP):
        idx = key[a : a + GREEDY_STEP] & mask
        si, di = pairs.s[idx], pairs.d[idx]
        # Drop what the state already rules out (vectorised), then walk the rest in order.
        alive = np.where(split[di], np.minimum(stock[si], room[di]) >= moq[si], untouched[di] & (stock[si] >= want[di]))
        if not alive.any():
            continue
        live = np.flatnonzero(alive)
        gains = pairs.gain[idx[live]].tolist()
        for i, j, g in zip(si[live].tolist(), di[live].tolist(), gains, strict=True):
            if split[j]:
                q = min(stock[i], room[j])
                if q < moq[i] or q <= 0:
                    continue
            else:
                if not untouched[j] or stock[i] < want[j]:
                    continue
                q = int(want[j])
            stock[i] -= q
            room[j] -= q
            untouched[j] = False
            quantity += int(q)
            gain_total += int(q) * g
    return quantity, gain_total


def _cover_bound(prices, s_weight, max_prices, d_weight) -> float:
    """min over p of sum(s_weight[price <= p]) + sum(d_weight[max_price > p])."""
    cuts = np.unique(np.concatenate([prices, max_prices, [-1]]))
    s_order = np.argsort(prices)
    s_cum = np.concatenate([[0.0], np.cumsum(s_weight[s_order])])
    covered_s = s_cum[np.searchsorted(prices[s_order], cuts, "right")]
    d_order = np.argsort(max_prices)
    d_cum = np.concatenate([[0.0], np.cumsum(d_weight[d_order])])
    covered_d = d_cum[-1] - d_cum[np.searchsorted(max_prices[d_order], cuts, "right")]
    return float((covered_s + covered_d).min())


def _exact_block(cols: Columns, pairs: BlockPairs) -> tuple[int, int]:
    """(max flow, max-score LP value in gain units) over the block's pairs, with OR-Tools."""
    from ortools.graph.python import min_cost_flow

    s, d = cols.supplies, cols.demands
    rows_s, arc_s = np.unique(pairs.s, return_inverse=True)
    rows_d, arc_d = np.unique(pairs.d, return_inverse=True)
    cap_s, cap_d = s.quantity[rows_s], d.quantity[rows_d]
    n_s, n_d = len(rows_s), len(rows_d)
    cap = np.minimum(cap_s[arc_s], cap_d[arc_d])

    def solve(extra_bypass: bool) -> tuple[int, int]:
        mcf = min_cost_flow.SimpleMinCostFlow()
        mcf.add_arcs_with_capacity_and_unit_cost(arc_s.astype(np.int64), n_s + arc_d.astype(np.int64), cap,
                                                 -pairs.gain.astype(np.int64))
        supplies = np.concatenate([cap_s, -cap_d]).astype(np.int64)
        if extra_bypass:  # every listing may also send to a sink at no gain: the max-score transport LP
            sink = n_s + n_d
            mcf.add_arcs_with_capacity_and_unit_cost(np.arange(n_s), np.full(n_s, sink), cap_s,
                                                     np.zeros(n_s, np.int64))
            supplies = np.concatenate([supplies, [0]])
        mcf.set_nodes_supplies(np.arange(len(supplies)), supplies)
        if mcf.solve_max_flow_with_min_cost() != mcf.OPTIMAL:
            raise RuntimeError("min-cost flow failed")
        flows = mcf.flows(np.arange(len(arc_s)))
        return int(flows.sum()), int((flows * pairs.gain.astype(np.int64)).sum())

    quantity, _ = solve(False)
    _, best_gain = solve(True)
    return quantity, best_gain


def _dual_block(cols: Columns, pairs: BlockPairs, iters: int) -> tuple[int, float]:
    """LP dual bounds on a dense block's max flow and max-score LP (see the module docstring).

    Starts from the best price cover, then improves the listing potentials u by
    projected subgradient steps on L(u) = sum(cap_i u_i) + sum(dem_j max(0, max_i(g_ij - u_i))),
    where the order potentials v_j = max(0, max_i(g_ij - u_i)) are priced exactly over all
    the block's pairs, so every iterate is a feasible dual and its value a valid bound;
    the smallest one is kept.
    """
    s, d = cols.supplies, cols.demands
    local_s = np.full(len(s.ids), -1, np.int64)
    rows_s = np.flatnonzero(np.bincount(pairs.s, minlength=len(s.ids)))
    local_s[rows_s] = np.arange(len(rows_s))
    arc_s = local_s[pairs.s].astype(np.int32)
    # Pairs come grouped by order (order-major enumeration): segments per order.
    starts = np.flatnonzero(np.r_[True, pairs.d[1:] != pairs.d[:-1]])
    rows_d = pairs.d[starts]
    seg = np.repeat(np.arange(len(starts), dtype=np.int32), np.diff(np.r_[starts, len(pairs.d)]))
    cap_s = s.quantity[rows_s].astype(np.float64)
    cap_d = d.quantity[rows_d].astype(np.float64)
    price, max_price = s.price[rows_s], d.max_price[rows_d]
    results = []
    for gains in (None, pairs.gain.astype(np.float32)):
        best_s = np.ones(len(rows_s)) if gains is None else np.zeros(len(rows_s))
        best_d = np.ones(len(rows_d)) if gains is None else np.maximum.reduceat(gains, starts).astype(np.float64)
        if gains is not None:
            np.maximum.at(best_s, arc_s, gains)
        # The best price cover as the starting point (p on the grid of both sides' prices).
        cuts = np.unique(np.concatenate([price, max_price, [-1]]))
        values = [_cover_bound(price, cap_s * best_s, max_price, cap_d * best_d)]
        p = cuts[np.argmin([(cap_s * best_s)[price <= c].sum() + (cap_d * best_d)[max_price > c].sum()
                            for c in cuts])] if len(cuts) <= 2000 else None
        u = np.where(price <= p, best_s, 0.0) if p is not None else best_s * 0.5
        scale = float(best_s.mean()) or 1.0
        margin = 1e-5 if gains is None else 1.0
        for k in range(iters):
            r = (1.0 if gains is None else gains) - u[arc_s].astype(np.float32)
            # + margin: r is float32, so v stays >= g_ij - u_i whatever its rounding.
            v = np.maximum(np.maximum.reduceat(r, starts), 0).astype(np.float64) + margin
            values.append(float(cap_s @ u + cap_d @ v))
            top = (r >= (v - margin)[seg].astype(np.float32)) & (v[seg] > margin)
            load = np.bincount(arc_s[top], weights=cap_d[seg[top]], minlength=len(rows_s))
            sub = cap_s - load
            norm = np.abs(sub).max()
            if norm == 0:
                break
            u = np.clip(u - 0.3 * scale * 0.9**k * sub / norm, 0.0, best_s)
        results.append(min(values))
    return int(np.floor(results[0] + 1e-6)), results[1]


@dataclass
class Baselines:
    greedy_quantity: int
    greedy_score: float
    bound_quantity: int
    bound_score: float
    feasible_pairs: int
    exact_blocks: int
    dual_blocks: int
    seconds: dict = field(default_factory=dict)  # enumerate, greedy, bound


def baselines(cols: Columns, config, exact_arcs: int = 3_000_000, with_bound: bool = True,
              dual_iters: int = 40) -> Baselines:
    s, d = cols.supplies, cols.demands
    s_term, d_term = supply_term(cols, config), demand_term(cols, config)
    stock, room = s.quantity.copy(), d.quantity.copy()
    untouched = np.ones(len(room), dtype=bool)
    gq = gg = 0
    bq = 0
    bg = 0.0
    n_pairs = exact = dual = 0
    seconds = {"enumerate": 0.0, "greedy": 0.0, "bound": 0.0}
    for _b, sr, dr in blocks(cols):
        clock = time.perf_counter()
        pairs = block_pairs(cols, config, sr, dr, s_term, d_term)
        n_pairs += len(pairs.s)
        seconds["enumerate"] += time.perf_counter() - clock
        clock = time.perf_counter()
        q, g = _greedy_block(cols, pairs, config, stock, room, untouched)
        gq, gg = gq + q, gg + g
        seconds["greedy"] += time.perf_counter() - clock
        clock = time.perf_counter()
        if not with_bound or len(pairs.s) == 0:
            continue
        if len(pairs.s) <= exact_arcs:
            q, g = _exact_block(cols, pairs)
            bq, bg, exact = bq + q, bg + g, exact + 1
            seconds["bound"] += time.perf_counter() - clock
            continue
        dual += 1
        q, g = _dual_block(cols, pairs, dual_iters)
        bq, bg = bq + q, bg + g
        seconds["bound"] += time.perf_counter() - clock
        del pairs
    scale = config.score_scale
    return Baselines(int(gq), gg / scale, int(bq), bg / scale, n_pairs, exact, dual, seconds)
