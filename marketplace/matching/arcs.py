"""Candidate arcs for a whole marketplace: blocks in parallel, in a deterministic order.

candidates.py generates one (category, unit) block's arcs; this module splits the
rows into blocks, decides per block whether pruning applies (config.keep_all_pairs),
runs the blocks on threads, or in forked processes for a large marketplace
(PROCESS_MIN_ROWS), and concatenates their arcs in block order.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from .candidates import BlockArcs, BlockGenerator
from .columns import Columns
from .scoring import to_score

# At or above this many rows the blocks run in forked processes instead of threads:
# much of a block's work is short numpy calls under the GIL, so two threads reached
# only ~1.2x on 2 cores at 100k x 100k. Below it a fork costs more than it saves.
PROCESS_MIN_ROWS = 50_000
_JOB = None  # (cols, config, work, s_term, d_term, keep_all per block), inherited by forked workers
_JOB_LOCK = threading.Lock()


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

    A block with at most config.keep_all_pairs pairs to visit is never pruned.
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


def arcs_for_blocks(cols: Columns, config, work, s_term, d_term, keep_all_pairs: int = 0, idle=None) -> Candidates:
    """Candidate arcs of the given (block, listing rows, order rows), concatenated in that order.

    idle, if given, is called in this thread while forked workers run the blocks
    (after every fork, so no other thread of ours is running when one happens);
    it is not called when the blocks run here or on threads.
    """
    generators: dict[int, BlockGenerator] = {}

    def generator(i):  # built where it runs: in a forked worker, or here
        if i not in generators:
            _, s_rows, d_rows = work[i]
            generators[i] = BlockGenerator(cols, config, s_rows, d_rows, s_term, d_term)
        return generators[i]

    biggest_first = sorted(range(len(work)), key=lambda i: -len(work[i][1]) * len(work[i][2]))
    # Decided per block, from the block alone, so a run cut into per-category calls
    # prunes exactly the blocks one call over everything prunes (issue #18, item 4).
    keep_all = [keep_all_pairs > 0 and generator(i).pairs_to_visit() <= keep_all_pairs for i in range(len(work))]

    def one_block(i):
        return generator(i).run(keep_all[i])

    # Blocks are independent; results are collected in block order, whatever
    # finishes first, so the answer does not depend on threads or processes.
    threads = min(_cores() if config.workers is None else config.workers, len(work))
    rows = sum(len(job[1]) + len(job[2]) for job in work)
    if threads > 1 and rows >= PROCESS_MIN_ROWS and _can_fork():
        global _JOB
        with _JOB_LOCK:  # concurrent match() calls on threads must not swap each other's job
            _JOB = (cols, config, work, s_term, d_term, keep_all)
            try:
                context = multiprocessing.get_context("fork")
                with ProcessPoolExecutor(max_workers=threads, mp_context=context) as pool:
                    pending = pool.map(_run_packed, biggest_first)  # the workers are forked by now
                    if idle is not None:
                        idle()
                    done = dict(zip(biggest_first, map(_unpack, pending), strict=True))
            finally:
                _JOB = None
        results = [(work[i][0], done[i]) for i in range(len(work))]
    elif threads > 1 and rows >= 20_000:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            done = dict(zip(biggest_first, pool.map(one_block, biggest_first), strict=True))
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
    supply, demand, raw, block = (np.concatenate(x) for x in zip(*parts, strict=True))
    return Candidates(
        supply=supply,
        demand=demand,
        score=to_score(raw, config),
        block=block,
        pruned=bool(pruned_blocks),
        pruned_blocks=pruned_blocks,
    )


def _run_packed(i: int):
    """One block in a forked worker; indices travel as int32 (half the bytes to pickle)."""
    cols, config, work, s_term, d_term, keep_all = _JOB
    _, s_rows, d_rows = work[i]
    keep_all = keep_all[i]
    # One thread per worker: the other worker already has the other core (the
    # listing and order sides on two threads would only contend for it).
    config = replace(config, workers=1)
    arcs = BlockGenerator(cols, config, s_rows, d_rows, s_term, d_term).run(keep_all)
    return arcs.supply.astype(np.int32), arcs.demand.astype(np.int32), arcs.raw, arcs.pruned


def _unpack(packed) -> BlockArcs:
    supply, demand, raw, pruned = packed
    return BlockArcs(supply.astype(np.int64), demand.astype(np.int64), raw, pruned)


def _can_fork() -> bool:
    """Fork is available and allowed (a daemon process, e.g. a Celery prefork worker, may not have children)."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
