"""Max-flow columns for pruned blocks: the arcs the largest quantity needs, found without all pairs.

Top-k pruning by score keeps the wrong arcs for the quantity: every order's best
listings are the same cheap ones, so at 100k x 100k the rice block's best-4 arcs
carry 1.27M of the 7.50M units its pairs can carry. This module grows a pruned
block's arc set by column generation on the max-flow relaxation (non-split and
minimum order ignored, as in every flow solve), which OR-Tools solves in a small
fraction of the min-cost pass's time:

1. Solve the max flow on the block's arcs, arcs uncapacitated (the listings' stock
   and the orders' room bound the flow), and read the residual graph's two sides:
   X, the nodes reachable from the source, and T, the nodes that reach the sink.
2. No kept arc joins a listing in X to an order in T (it would close an augmenting
   path), and every feasible pair that does is a new arc opening one. Price those
   pairs by price proximity, not by score: each order in T gets the feasible
   listings in X priced just under its maximum (the ones fewest other orders can
   use: the exchange argument behind the max flow of a price-threshold graph),
   each listing in X the orders in T whose maximum is just above its price;
   WINDOW candidates per row, at most PER_ROW feasible ones kept. Repeat.
3. When that finds nothing, price X's listings against every order outside X (the
   exact cut condition) with the engine's own bounded generator (candidates.py).
   When that finds nothing either, no feasible pair crosses the cut: the flow is
   the maximum over ALL the block's feasible pairs, a certificate (bound.py uses
   it as the block's quantity bound).

The block keeps its first-pass arcs plus the new arcs that carry flow in the last
max flow (these alone carry a maximum flow), so the min-cost pass that follows
(solver.py) optimises the score on few arcs: in rice 204k instead of the 1.5M
priced. Rounds stop at config.pricing_rounds; the answer never depends on time.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import max_flow

from .arcs import PROCESS_MIN_ROWS, Candidates, arcs_for_blocks, rows_by_block
from .columns import Columns, excluded_rows
from .feasibility import feasible_mask
from .scoring import raw_scores, to_score

WINDOW = 64  # candidates looked at per row and round, nearest in price first
PER_ROW = 16  # feasible new arcs kept per row and round (rice: 6 rounds; 8 took 9, 32 took 5 but more CPU)
CHUNK_ROWS = 8192  # rows per vectorised window (WINDOW * CHUNK_ROWS pairs at a time)
_JOB = None  # (cols, config, jobs, s_term, d_term), inherited by forked workers
_JOB_LOCK = threading.Lock()


@dataclass(frozen=True)
class BlockColumns:
    supply: np.ndarray  # new arcs (global rows) that carry flow in the block's last max flow
    demand: np.ndarray
    raw: np.ndarray
    flow: int  # the max flow on the block's final arcs
    certified: bool  # no feasible pair crosses the final cut: flow is the max over all pairs
    rounds: int


def add_flow_columns(cols: Columns, config, cands: Candidates, s_term, d_term) -> tuple[Candidates, dict[int, int]]:
    """cands with each pruned block's max-flow columns added (grouped by block again),
    and {block: certified maximum flow over all its feasible pairs}."""
    if not cands.pruned_blocks or config.pricing_rounds == 0:
        return cands, {}
    s, d = cols.supplies, cols.demands
    s_live = np.flatnonzero((s.block >= 0) & (s.available_until >= cols.now_day) & (s.quantity > 0))
    d_live = np.flatnonzero((d.needed_by >= cols.now_day) & (d.quantity > 0))
    pruned = set(cands.pruned_blocks)
    order = np.argsort(cands.block, kind="stable")
    starts = np.searchsorted(cands.block[order], np.arange(len(cols.block_keys) + 1))
    jobs = []
    for b, s_rows, d_rows in rows_by_block(cols, s_live, d_live):
        if b in pruned:
            arcs = order[starts[b] : starts[b + 1]]
            jobs.append((b, s_rows, d_rows, cands.supply[arcs], cands.demand[arcs]))
    results = _run(cols, config, jobs, s_term, d_term)
    parts_s, parts_d, parts_raw, parts_b = [cands.supply], [cands.demand], [], [cands.block]
    certified = {}
    for (b, *_), result in zip(jobs, results, strict=True):
        parts_s.append(result.supply)
        parts_d.append(result.demand)
        parts_raw.append(result.raw)
        parts_b.append(np.full(len(result.supply), b, dtype=cands.block.dtype))
        if result.certified:
            certified[b] = result.flow
    score = np.concatenate([cands.score, to_score(np.concatenate(parts_raw), config)])
    block = np.concatenate(parts_b)
    regroup = np.argsort(block, kind="stable")  # solver.py solves runs of whole blocks
    merged = Candidates(
        supply=np.concatenate(parts_s)[regroup],
        demand=np.concatenate(parts_d)[regroup],
        score=score[regroup],
        block=block[regroup],
        pruned=cands.pruned,
        pruned_blocks=cands.pruned_blocks,
    )
    return merged, certified


def _run(cols, config, jobs, s_term, d_term) -> list[BlockColumns]:
    """Each block's columns, in forked processes for a large marketplace (as arcs.py does)."""
    rows = sum(len(j[1]) + len(j[2]) for j in jobs)
    workers = config.workers if config.workers is not None else _cores()
    if workers > 1 and len(jobs) > 1 and rows >= PROCESS_MIN_ROWS and _can_fork():
        global _JOB
        biggest_first = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][3]))
        with _JOB_LOCK:  # concurrent match() calls on threads must not swap each other's job
            _JOB = (cols, config, jobs, s_term, d_term)
            try:
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
                    done = dict(zip(biggest_first, pool.map(_run_one, biggest_first), strict=True))
            finally:
                _JOB = None
        return [done[i] for i in range(len(jobs))]
    return [block_columns(cols, config, *job, s_term, d_term) for job in jobs]


def _run_one(i: int) -> BlockColumns:
    cols, config, jobs, s_term, d_term = _JOB
    return block_columns(cols, replace(config, workers=1), *jobs[i], s_term, d_term)


def block_columns(cols: Columns, config, b, s_rows, d_rows, arc_s, arc_d, s_term, d_term) -> BlockColumns:
    """Column generation on one block's max flow (module docstring)."""
    first = len(arc_s)
    all_s, all_d = arc_s, arc_d
    certified, rounds = False, 0
    while True:
        flow, arc_flow, in_x, in_t = _max_flow(cols, s_rows, d_rows, all_s, all_d)
        if rounds >= config.pricing_rounds:
            break
        rounds += 1
        x_s = s_rows[in_x[: len(s_rows)]]
        t_d = d_rows[in_t[len(s_rows) :]]
        found_s, found_d = nearest_in_price(cols, config, x_s, t_d)
        if len(found_s) == 0:
            # The exact cut condition: any feasible pair from X to an order outside X.
            out_d = d_rows[~in_x[len(s_rows) :]]
            found_s, found_d = _any_pairs(cols, config, b, x_s, out_d, s_term, d_term)
            if len(found_s) == 0:
                certified = True
                break
        # Every priced arc stays for the next max flow: dropping those without flow
        # (measured on rice) took 16 rounds instead of 6 and more CPU.
        all_s = np.concatenate([all_s, found_s])
        all_d = np.concatenate([all_d, found_d])
    extra = first + np.flatnonzero(arc_flow[first:] > 0)
    supply, demand = all_s[extra], all_d[extra]
    raw = raw_scores(cols, supply, demand, config, s_term, d_term)
    return BlockColumns(supply, demand, raw, flow, certified, rounds)


def _max_flow(cols, s_rows, d_rows, arc_s, arc_d):
    """(flow value, flow per arc, source side, sink side) of the block's max flow, arcs uncapacitated."""
    s, d = cols.supplies, cols.demands
    n_s, n_d = len(s_rows), len(d_rows)
    local_s = np.full(len(s.ids), -1, np.int64)
    local_s[s_rows] = np.arange(n_s)
    local_d = np.full(len(d.ids), -1, np.int64)
    local_d[d_rows] = np.arange(n_d)
    source, sink = n_s + n_d, n_s + n_d + 1
    stock, room = s.quantity[s_rows], d.quantity[d_rows]
    # Larger than any flow: an arc is never the bottleneck, so the cut is a node cut.
    unbounded = int(stock.sum()) + 1
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.concatenate([local_s[arc_s], np.full(n_s, source), n_s + np.arange(n_d)]),
        np.concatenate([n_s + local_d[arc_d], np.arange(n_s), np.full(n_d, sink)]),
        np.concatenate([np.full(len(arc_s), unbounded), stock, room]).astype(np.int64),
    )
    status = solver.solve(source, sink)
    if status != solver.OPTIMAL:
        raise RuntimeError(f"max flow failed: {status}")
    arc_flow = solver.flows(np.arange(len(arc_s)))
    in_x = np.zeros(n_s + n_d + 2, dtype=bool)
    in_x[np.asarray(solver.get_source_side_min_cut())] = True
    in_t = np.zeros(n_s + n_d + 2, dtype=bool)
    in_t[np.asarray(solver.get_sink_side_min_cut())] = True
    return int(solver.optimal_flow()), arc_flow, in_x[: n_s + n_d], in_t[: n_s + n_d]


def nearest_in_price(cols: Columns, config, s_rows, d_rows, window: int | None = None, per_row: int | None = None):
    """Feasible (listing, order) pairs, each order's listings priced just under its maximum
    and each listing's orders with a maximum just above its price; unique pairs."""
    if len(s_rows) == 0 or len(d_rows) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    window, per_row = window or WINDOW, per_row or PER_ROW
    s, d = cols.supplies, cols.demands
    by_price = s_rows[np.argsort(s.price[s_rows], kind="stable")]
    by_max = d_rows[np.argsort(d.max_price[d_rows], kind="stable")]
    steps = np.arange(window)
    found = []
    for a in range(0, len(d_rows), CHUNK_ROWS):
        rows = d_rows[a : a + CHUNK_ROWS]
        pos = np.searchsorted(s.price[by_price], d.max_price[rows], "right")[:, None] - 1 - steps
        valid = pos >= 0
        other = by_price[np.where(valid, pos, 0)]
        found.append(_keep(cols, config, other, np.broadcast_to(rows[:, None], other.shape), valid, per_row))
    for a in range(0, len(s_rows), CHUNK_ROWS):
        rows = s_rows[a : a + CHUNK_ROWS]
        pos = np.searchsorted(d.max_price[by_max], s.price[rows], "left")[:, None] + steps
        valid = pos < len(by_max)
        other = by_max[np.where(valid, pos, 0)]
        found.append(_keep(cols, config, np.broadcast_to(rows[:, None], other.shape), other, valid, per_row))
    # Sort and drop repeats rather than np.unique (its hash path took 2 of pricing's 8.6 CPU s).
    keys = np.sort(np.concatenate(found))
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    n_orders = np.int64(len(d.ids))
    return keys // n_orders, keys % n_orders


def _keep(cols, config, si, di, valid, per_row) -> np.ndarray:
    """Keys (listing * orders + order) of each row's first per_row feasible, allowed pairs."""
    flat_s, flat_d = si.ravel(), di.ravel()
    ok = valid.ravel() & feasible_mask(cols, flat_s, flat_d, config)
    if len(cols.excluded):
        ok &= ~excluded_rows(cols, flat_s, flat_d)
    ok = ok.reshape(valid.shape)
    ok &= np.cumsum(ok, axis=1) <= per_row
    return si[ok].astype(np.int64) * np.int64(len(cols.demands.ids)) + di[ok]


def _any_pairs(cols, config, b, s_rows, d_rows, s_term, d_term):
    """Each row's best few feasible pairs between s_rows and d_rows (none: no pair exists)."""
    if len(s_rows) == 0 or len(d_rows) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    budget = replace(config, max_arcs=1, top_k=config.top_k, workers=1)
    found = arcs_for_blocks(cols, budget, [(b, s_rows, d_rows)], s_term, d_term)
    return found.supply, found.demand


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
