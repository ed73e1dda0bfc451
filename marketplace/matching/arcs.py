"""Candidate arcs for a whole marketplace: blocks in parallel, in a deterministic order.

candidates.py generates one (category, unit) block's arcs; this module splits the
rows into blocks, decides whether pruning applies at all (config.keep_all_pairs),
runs the blocks on threads and concatenates their arcs in block order.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .candidates import BlockGenerator
from .columns import Columns


@dataclass(frozen=True)
class Candidates:
    supply: np.ndarray  # global listing index (columns order)
    demand: np.ndarray  # global order index
    score: np.ndarray  # final score in (0, 1]
    block: np.ndarray  # (category, unit) code of each arc
    pruned: bool
    pruned_blocks: list[int]


def generate_candidates(cols: Columns, config, s_term: np.ndarray, d_term: np.ndarray) -> Candidates:
    """All feasible arcs, block by block, pruned to the top-k union where a block is too big.

    When the pairs to visit over all blocks are at most config.keep_all_pairs,
    no block is pruned at all (small marketplaces lose nothing to pruning).
    """
    s, d = cols.supplies, cols.demands
    # Rules of one side alone are settled once here instead of once per pair.
    s_live = np.flatnonzero((s.block >= 0) & (s.available_until >= cols.now_day) & (s.quantity > 0))
    d_live = np.flatnonzero((d.needed_by >= cols.now_day) & (d.quantity > 0))
    work = rows_by_block(cols, s_live, d_live)
    return arcs_for_blocks(cols, config, work, s_term, d_term, config.keep_all_pairs)


def rows_by_block(cols: Columns, s_rows: np.ndarray, d_rows: np.ndarray) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """(block, listing rows, order rows) for every block where both sides have rows, in block order."""
    s_rows = s_rows[np.argsort(cols.supplies.block[s_rows], kind="stable")]
    d_rows = d_rows[np.argsort(cols.demands.block[d_rows], kind="stable")]
    n_blocks = len(cols.block_keys)
    s_bounds = np.searchsorted(cols.supplies.block[s_rows], np.arange(n_blocks + 1))
    d_bounds = np.searchsorted(cols.demands.block[d_rows], np.arange(n_blocks + 1))
    return [
        (b, s_rows[s_bounds[b] : s_bounds[b + 1]], d_rows[d_bounds[b] : d_bounds[b + 1]])
        for b in range(n_blocks)
        if s_bounds[b + 1] > s_bounds[b] and d_bounds[b + 1] > d_bounds[b]
    ]


def arcs_for_blocks(cols: Columns, config, work, s_term, d_term, keep_all_pairs: int = 0) -> Candidates:
    """Candidate arcs of the given (block, listing rows, order rows), concatenated in that order."""
    from .scoring import to_score

    generators = [BlockGenerator(cols, config, s_rows, d_rows, s_term, d_term) for _, s_rows, d_rows in work]
    biggest_first = sorted(range(len(work)), key=lambda i: -len(work[i][1]) * len(work[i][2]))
    keep_all, total = keep_all_pairs > 0, 0
    for i in biggest_first if keep_all else []:
        total += generators[i].pairs_to_visit()
        if total > keep_all_pairs:  # the largest blocks come first, so this stops early
            keep_all = False
            break

    def one_block(i):
        return generators[i].run(keep_all)

    # Blocks are independent and numpy releases the GIL in its loops, so threads
    # overlap well; results are collected in block order, whatever finishes first.
    threads = min(_cores() if config.workers is None else config.workers, len(work))
    rows = sum(len(job[1]) + len(job[2]) for job in work)
    if threads > 1 and rows >= 20_000:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            done = dict(zip(biggest_first, pool.map(one_block, biggest_first)))
        results = [(work[i][0], done[i]) for i in range(len(work))]
    else:
        results = [(job[0], one_block(i)) for i, job in enumerate(work)]

    parts, pruned_blocks = [], []
    for b, arcs in results:
        if arcs.pruned:
            pruned_blocks.append(b)
        parts.append((arcs.supply, arcs.demand, arcs.raw, np.full(len(arcs.supply), b, dtype=np.int32)))
    if not parts:
        empty = np.zeros(0, np.int64)
        return Candidates(empty, empty, np.zeros(0), np.zeros(0, np.int32), False, [])
    # Arcs stay grouped by block, in the deterministic order they were generated.
    supply, demand, raw, block = (np.concatenate(x) for x in zip(*parts))
    return Candidates(
        supply=supply,
        demand=demand,
        score=to_score(raw, config),
        block=block,
        pruned=bool(pruned_blocks),
        pruned_blocks=pruned_blocks,
    )


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
