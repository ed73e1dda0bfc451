"""Solve the candidate graph: flow relaxation per batch, then the rules flow cannot express.

Blocks never share a listing or an order, so each batch of blocks is an
independent problem. Batches are cut by a fixed rule (block order and size),
never by the number of cores, so the answer is the same with or without the pool.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .dive import dive
from .flow import FlowProblem, max_flow_min_cost, totals, violations
from .integral import better, repair, solve_exact
from .types import ComponentReport

# Small blocks are solved together (one OR-Tools call costs ~1 ms), in batches of about
# this many arcs: 25k rather than 50k so the pool's two workers end closer together
# (10k x 10k: 2.75 s against 3.03-3.12 s, bench/RESULTS-matching.md).
BATCH_ARCS = 25_000


@dataclass(frozen=True)
class BatchResult:
    flows: np.ndarray
    relaxation: np.ndarray
    reports: list[ComponentReport]


def solve_problem(problem: FlowProblem, config) -> BatchResult:
    relaxed = max_flow_min_cost(problem)
    small_arcs, bad_orders = violations(problem, relaxed)
    if len(small_arcs) == 0 and len(bad_orders) == 0:
        # The relaxation's optimum obeys the rules, so it is the optimum with them.
        return BatchResult(relaxed, relaxed, [])
    flows = relaxed.copy()
    reports = []
    labels = _component_labels(problem)
    arc_label = labels[problem.arc_s]
    broken = np.unique(np.concatenate([arc_label[small_arcs], labels[problem.n_supplies + bad_orders]]))
    arcs_by_label = np.argsort(arc_label, kind="stable")
    bounds = np.searchsorted(arc_label[arcs_by_label], np.arange(labels.max() + 2))
    for label in broken.tolist():
        arcs = arcs_by_label[bounds[label] : bounds[label + 1]]
        supplies = np.unique(problem.arc_s[arcs])
        demands = np.unique(problem.arc_d[arcs])
        sub = problem.subset(arcs, supplies, demands)
        sub_relaxed = relaxed[arcs]
        solution = _heuristic(sub, sub_relaxed, config)
        method, proven = "heuristic", False
        if len(arcs) <= config.exact_max_arcs:
            exact = solve_exact(sub, solution, config.exact_work_limit, upper_quantity=int(sub_relaxed.sum()))
            if exact is not None:
                solution, proven = better(sub, exact[0], solution), exact[1]
                method = "exact"
        flows[arcs] = solution
        reports.append(
            ComponentReport(
                arcs=len(arcs),
                method=method,
                quantity=int(solution.sum()),
                relaxation_quantity=int(sub_relaxed.sum()),
                proven_optimal=proven,
            )
        )
    return BatchResult(flows, relaxed, reports)


def _heuristic(problem: FlowProblem, relaxed: np.ndarray, config) -> np.ndarray:
    """A valid allocation of one component: the dive's (dive.py), or repair's where the dive does not run.

    CP-SAT, when it runs, starts from it. The dive runs on components of more than
    exact_max_arcs and at most dive_max_arcs arcs; there repair is only a safety net
    (without its full re-solve, which the dive makes redundant), and the better of
    the two answers is kept. Larger components get repair alone.
    """
    n_arcs = len(problem.arc_s)
    if config.dive_tests > 0 and config.exact_max_arcs < n_arcs <= config.dive_max_arcs:
        dived = dive(problem, relaxed, test_budget=config.dive_tests)
        flows = repair(problem, relaxed)
        small, bad = violations(problem, dived)
        if len(small) == 0 and len(bad) == 0:  # always, by construction; the check keeps it a promise
            flows = better(problem, dived, flows)
        return flows
    return repair(problem, relaxed, full_resolve=n_arcs <= config.heuristic_resolve_max_arcs)


def _component_labels(problem: FlowProblem) -> np.ndarray:
    """Connected-component label of every node (listings first, then orders)."""
    n = problem.n_supplies + problem.n_demands
    graph = coo_matrix(
        (np.ones(len(problem.arc_s), dtype=np.int8), (problem.arc_s, problem.n_supplies + problem.arc_d)),
        shape=(n, n),
    )
    return connected_components(graph, directed=False)[1]


def _solve_packed(args) -> BatchResult:
    return solve_problem(*args)


def batch_bounds(block_of_arc: np.ndarray) -> list[tuple[int, int]]:
    """Cut arcs (sorted by block) into runs of whole blocks of about BATCH_ARCS arcs."""
    if len(block_of_arc) == 0:
        return []
    starts = np.flatnonzero(np.r_[True, block_of_arc[1:] != block_of_arc[:-1]])
    ends = np.r_[starts[1:], len(block_of_arc)]
    runs, run_start = [], 0
    for end in ends.tolist():
        if end - run_start >= BATCH_ARCS or end == len(block_of_arc):
            runs.append((run_start, end))
            run_start = end
    return runs


def pool_size(config, n_arcs: int, n_batches: int) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = config.workers if config.workers is not None else cores
    if n_arcs < config.parallel_min_arcs or n_batches < 2:
        return 1
    if multiprocessing.current_process().daemon:  # e.g. inside a Celery prefork worker
        return 1
    return max(1, min(workers, n_batches))


_BUILD = None  # build(i) -> FlowProblem, inherited by forked workers (solve_built)
_BUILD_LOCK = threading.Lock()


def _solve_built(args) -> BatchResult:
    i, config = args
    return solve_problem(_BUILD(i), config)


def solve_built(build, sizes: list[int], config) -> list[BatchResult]:
    """solve_batches for problems build(0..n-1) of sizes[i] arcs, each built where it is solved.

    With a forked pool the workers build their own problems from the parent's
    arrays (inherited at fork): the parent neither builds nor pickles them.
    Same answers as building them all first: each problem is solved alone.
    """
    workers = pool_size(config, sum(sizes), len(sizes))
    if workers == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return solve_batches([build(i) for i in range(len(sizes))], config)
    global _BUILD
    order = sorted(range(len(sizes)), key=lambda i: -sizes[i])
    jobs = [(i, config) for i in order]
    with _BUILD_LOCK:  # concurrent match() calls on threads must not swap each other's problems
        _BUILD = build
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
                results = list(pool.map(_solve_built, jobs))
        finally:
            _BUILD = None
    out: list[BatchResult] = [None] * len(sizes)  # type: ignore[list-item]
    for i, result in zip(order, results, strict=True):
        out[i] = result
    return out


def solve_batches(problems: list[FlowProblem], config) -> list[BatchResult]:
    jobs = [(p, config) for p in problems]
    n_arcs = sum(len(p.arc_s) for p in problems)
    workers = pool_size(config, n_arcs, len(problems))
    if workers == 1:
        return [_solve_packed(job) for job in jobs]
    # Largest first so the pool's tail is short; results go back in batch order.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i][0].arc_s))
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_solve_packed, [jobs[i] for i in order]))
    out: list[BatchResult] = [None] * len(jobs)  # type: ignore[list-item]
    for i, result in zip(order, results, strict=True):
        out[i] = result
    return out


__all__ = ["BatchResult", "solve_problem", "solve_batches", "solve_built", "batch_bounds", "totals"]
