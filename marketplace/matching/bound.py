"""Upper bounds over ALL feasible pairs, for MatchResult.bound_quantity / bound_score.

Blocks share no listing or order, so a bound is a sum over blocks:

* A block that was not pruned gave the solver every feasible pair, so its flow
  relaxation (non-split and minimum order ignored) is the exact bound: no
  allocation obeying the rules moves more quantity, and the relaxation's score is
  the best score at that quantity.
* A pruned block's arcs are a subset, so their relaxation bounds nothing. It gets
  an LP dual bound that needs no arc list: for any price p, {listings priced <= p}
  and {orders whose maximum price is > p} cover every feasible pair (a pair with
  price > p >= maximum price fails the price rule). Potentials u_i = 1 on covered
  listings and v_j = 1 on covered orders are a feasible dual of the max-flow LP,
  so sum(cap_i u_i) + sum(dem_j v_j) bounds it; the minimum over p is one sort and
  a cumulative sum. For the score the same cover with each row's largest possible
  score (its own terms at the best price and distance parts) bounds the max-score LP.
"""

from __future__ import annotations

import numpy as np

from .scoring import to_score


def cover_bound(prices, s_weight, max_prices, d_weight) -> float:
    """min over p of sum(s_weight[price <= p]) + sum(d_weight[max_price > p])."""
    if len(prices) == 0 or len(max_prices) == 0:
        return 0.0
    cuts = np.unique(np.concatenate([prices, max_prices, [np.iinfo(np.int64).min]]))
    s_order = np.argsort(prices, kind="stable")
    s_cum = np.concatenate([[0.0], np.cumsum(s_weight[s_order])])
    covered_s = s_cum[np.searchsorted(prices[s_order], cuts, "right")]
    d_order = np.argsort(max_prices, kind="stable")
    d_cum = np.concatenate([[0.0], np.cumsum(d_weight[d_order])])
    covered_d = d_cum[-1] - d_cum[np.searchsorted(max_prices[d_order], cuts, "right")]
    return float((covered_s + covered_d).min())


def block_cover(cols, config, s_rows, d_rows, s_term, d_term) -> tuple[int, float]:
    """(quantity bound, score bound) of one block from its rows alone."""
    s, d = cols.supplies, cols.demands
    price, max_price = s.price[s_rows], d.max_price[d_rows]
    cap_s, cap_d = s.quantity[s_rows].astype(np.float64), d.quantity[d_rows].astype(np.float64)
    quantity = int(np.floor(cover_bound(price, cap_s, max_price, cap_d) + 1e-9))
    top = config.weight_price + config.weight_distance
    best_s = to_score(top + s_term[s_rows] - (d_term[d_rows].min() if len(d_rows) else 0.0), config)
    best_d = to_score(top + (s_term[s_rows].max() if len(s_rows) else 0.0) - d_term[d_rows], config)
    score = cover_bound(price, cap_s * best_s, max_price, cap_d * best_d)
    return quantity, min(score, float(quantity))


def all_pairs_bound(cols, config, cands, relaxed, s_term, d_term, certified=None) -> tuple[int, float, dict[int, int]]:
    """(quantity bound, score bound, quantity bound per block) over every feasible pair.

    certified maps a pruned block to the maximum flow over all its feasible pairs,
    proven by pricing.py (no feasible pair crosses the final min cut): that is the
    exact quantity bound of the block, and it also caps the block's score bound.
    """
    certified = certified or {}
    from .arcs import rows_by_block

    s, d = cols.supplies, cols.demands
    n_blocks = len(cols.block_keys)
    q_relaxed = np.bincount(cands.block, weights=relaxed, minlength=n_blocks)
    g_relaxed = np.bincount(cands.block, weights=relaxed * cands.score, minlength=n_blocks)
    pruned = set(cands.pruned_blocks)
    s_live = np.flatnonzero((s.block >= 0) & (s.available_until >= cols.now_day) & (s.quantity > 0))
    d_live = np.flatnonzero((d.needed_by >= cols.now_day) & (d.quantity > 0))
    quantity, score, per_block = 0, 0.0, {}
    for b, s_rows, d_rows in rows_by_block(cols, s_live, d_live):
        if b in pruned:
            q, g = block_cover(cols, config, s_rows, d_rows, s_term, d_term)
            if b in certified:
                q = min(q, certified[b])
                g = min(g, float(q))
        else:
            q, g = int(round(q_relaxed[b])), float(g_relaxed[b])
        per_block[b] = q
        quantity, score = quantity + q, score + g
    return quantity, score, per_block
