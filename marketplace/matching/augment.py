"""The repair round for pruned blocks: arcs between what the first solve left over.

Pruning keeps each side's best k arcs, so orders whose few best listings are
everyone's favourites can end up with no arc to the listings that still have
stock. After the first solve, in every pruned block, this module takes

* the listings with stock left of at least their minimum order (only those can
  start a new allocation), and
* the orders with room left (a non-split order only if it received nothing),

and generates the feasible arcs among just those rows with the same vectorised
generator as the first pass (all of them when they are at most
`repair_max_arcs`, else the top-k union), minus the arcs already kept. The
residual problem (these new arcs, the leftover stock and room as capacities,
the same non-split and minimum-order rules) is solved like any other batch, and
its flows are added. The first solve's flows are never changed, so every rule
still holds: new arcs are fresh pairs, each with a flow of at least its
listing's minimum, within the leftover capacities. Rounds repeat while a round
gains quantity, up to `repair_rounds`.

The rounds augment along the new arcs only: they do not move flow the first
solve already placed. Each pruned block whose arcs (first pass and rounds) are at
most `repair_resolve_max_arcs` (off by default) is solved again by engine.py from
scratch on the union, which can, and keeps the better of the two valid answers.
Since pricing.py gives a pruned block its maximum flow before the first solve,
what the round recovers is what the non-split and minimum-order step gave up.
tests/unit/matching/test_repair.py checks that it only ever adds and
breaks no rule; bench/RESULTS-matching.md says how much of the loss it recovers.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .arcs import Candidates, arcs_for_blocks, rows_by_block
from .columns import Columns


def residual_rows(cols: Columns, cands: Candidates, flows: np.ndarray, blocks: list[int]):
    """(stock left, room left, listing rows, order rows) that the repair round may still connect."""
    s, d = cols.supplies, cols.demands
    given = np.bincount(cands.supply, weights=flows, minlength=len(s.ids)).astype(np.int64)
    taken = np.bincount(cands.demand, weights=flows, minlength=len(d.ids)).astype(np.int64)
    stock = s.quantity - given
    room = np.where(d.allow_split | (taken == 0), d.quantity - taken, 0)
    in_block = np.zeros(len(cols.block_keys) + 1, dtype=bool)
    in_block[np.asarray(blocks, dtype=np.int64)] = True
    s_rows = np.flatnonzero(in_block[s.block] & (s.block >= 0) & (s.available_until >= cols.now_day) & (stock >= s.moq))
    d_rows = np.flatnonzero(in_block[d.block] & (d.needed_by >= cols.now_day) & (room > 0))
    return stock, room, s_rows, d_rows


def new_arcs(cols: Columns, config, cands: Candidates, flows, blocks, s_term, d_term, idle=None):
    """Residual arcs (as Candidates) and the leftover capacities, or None when there are none.

    idle, if given, is called once while worker processes generate the arcs (or
    not at all, when they do not run): see arcs_for_blocks.
    """
    stock, room, s_rows, d_rows = residual_rows(cols, cands, flows, blocks)
    if len(s_rows) == 0 or len(d_rows) == 0:
        return None
    budget = replace(config, max_arcs=config.repair_max_arcs, top_k=config.repair_top_k)
    found = arcs_for_blocks(cols, budget, rows_by_block(cols, s_rows, d_rows), s_term, d_term, idle=idle)
    # Only arcs that can carry a valid allocation with what is left: at least the
    # listing's minimum, and a non-split order's whole quantity.
    s, d = cols.supplies, cols.demands
    cap = np.minimum(stock[found.supply], room[found.demand])
    ok = cap >= s.moq[found.supply]
    ok &= d.allow_split[found.demand] | (stock[found.supply] >= d.quantity[found.demand])
    n_orders = np.int64(len(d.ids))
    ok &= ~np.isin(found.supply * n_orders + found.demand, _keys_between(cands, stock >= s.moq, room > 0, n_orders))
    keep = np.flatnonzero(ok)
    if len(keep) == 0:
        return None
    arcs = Candidates(
        supply=found.supply[keep],
        demand=found.demand[keep],
        score=found.score[keep],
        block=found.block[keep],
        pruned=found.pruned,
        pruned_blocks=found.pruned_blocks,
    )
    return arcs, stock, room


def _keys_between(cands: Candidates, s_open: np.ndarray, d_open: np.ndarray, n_orders) -> np.ndarray:
    """Keys of the kept arcs whose both ends are still open (the only ones a new arc could repeat)."""
    both = s_open[cands.supply] & d_open[cands.demand]
    return cands.supply[both] * n_orders + cands.demand[both]


def append(cands: Candidates, extra: Candidates) -> Candidates:
    """The union of two disjoint arc sets, the old arcs first (their flows keep their positions)."""
    return Candidates(
        supply=np.concatenate([cands.supply, extra.supply]),
        demand=np.concatenate([cands.demand, extra.demand]),
        score=np.concatenate([cands.score, extra.score]),
        block=np.concatenate([cands.block, extra.block]),
        pruned=cands.pruned,
        pruned_blocks=cands.pruned_blocks,
    )
