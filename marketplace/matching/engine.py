"""match(): encode, generate candidates, solve, and report allocations with their breakdowns."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from time import perf_counter

import numpy as np

from .arcs import Candidates, generate_candidates
from .augment import append, new_arcs
from .bound import all_pairs_bound
from .columns import build_columns
from .flow import FlowProblem
from .pricing import add_flow_columns
from .scoring import breakdowns, demand_term, supply_term
from .solver import batch_bounds, solve_built
from .types import Allocation, Demand, MatchConfig, MatchResult, Supply, build_many


def match(
    supplies: Sequence[Supply],
    demands: Sequence[Demand],
    *,
    now: date,
    config: MatchConfig | None = None,
    excluded_pairs: Collection[tuple[int, int]] = (),
) -> MatchResult:
    """Allocate listings to orders: the most quantity, then the best total score.

    excluded_pairs are (Supply.id, Demand.id) pairs that get no arc, in the first
    pass or the repair round (declined, rejected, or already matched); pairs
    naming an id not in the input are ignored.
    """
    config = config or MatchConfig()
    timings: dict[str, float] = {}
    clock = perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now_ = perf_counter()
        timings[name] = now_ - clock
        clock = now_

    cols = build_columns(supplies, demands, now, excluded_pairs=excluded_pairs)
    lap("encode")
    s_term, d_term = supply_term(cols, config), demand_term(cols, config)
    cands = generate_candidates(cols, config, s_term, d_term)
    lap("candidates")
    # Pruned blocks get the arcs their maximum flow needs (pricing.py), and a
    # certificate where no feasible pair is left that could carry more.
    cands, certified = add_flow_columns(cols, config, cands, s_term, d_term)
    lap("pricing")

    s, d = cols.supplies, cols.demands
    flows, relaxed, reports = _solve(cols, cands, s.quantity, d.quantity, config)
    lap("solve")

    # Repair round (augment.py): connect what pruning left unconnected, and solve that.
    repair_arcs = rounds = 0
    first_pass_pruned, first_pass_quantity, n_first = cands.pruned, int(flows.sum()), len(flows)
    early: list[list[Allocation]] = []
    first = (cands, flows)

    def build_early() -> None:
        early.append(_allocations(cols, *first, config, 0, n_first))

    # When the union will not be re-solved (every pruned block's arcs are already over
    # repair_resolve_max_arcs, and arcs only grow), the first pass's flows are final:
    # the main thread builds their allocations while the repair round's worker
    # processes generate arcs, instead of only waiting for them.
    final = cands.pruned and not _resolvable(cols, cands, config)
    idle = build_early if final else None
    for _ in range(config.repair_rounds if cands.pruned else 0):
        found = new_arcs(cols, config, cands, flows, cands.pruned_blocks, s_term, d_term, idle)
        idle = None
        if found is None:
            break
        extra, stock, room = found
        extra_flows, extra_relaxed, extra_reports = _solve(cols, extra, stock, room, config)
        cands = append(cands, extra)
        flows = np.concatenate([flows, extra_flows])
        relaxed = np.concatenate([relaxed, extra_relaxed])
        reports += extra_reports
        rounds += 1
        repair_arcs += len(extra.supply)
        if not extra_flows.any():
            break
    again = _resolvable(cols, cands, config) if rounds else []
    if again:
        flows, relaxed, reports = _resolve_union(cols, cands, flows, relaxed, reports, config, again)
    lap("repair")
    bound_q, bound_g, bound_blocks = all_pairs_bound(cols, config, cands, relaxed, s_term, d_term, certified)
    bound_by_category: dict[str, int] = {}
    for b, q in bound_blocks.items():
        bound_by_category[cols.block_keys[b][0]] = bound_by_category.get(cols.block_keys[b][0], 0) + q
    lap("bound")

    used = np.flatnonzero(flows > 0)
    d_idx = cands.demand[used]
    scores = cands.score[used]
    quantities = flows[used]
    if early:  # same objects, same order: the first pass's arcs come first
        allocations = early[0] + _allocations(cols, cands, flows, config, n_first, len(flows))
    else:
        allocations = _allocations(cols, cands, flows, config, 0, len(flows))
    served = np.zeros(len(d.ids), dtype=bool)
    served[d_idx] = True
    lap("allocations")
    timings["total"] = sum(timings.values())
    arcs_by_category: dict[str, int] = {}
    for b, count in enumerate(np.bincount(cands.block, minlength=len(cols.block_keys)).tolist()):
        if count:
            category = cols.block_keys[b][0]
            arcs_by_category[category] = arcs_by_category.get(category, 0) + count
    return MatchResult(
        allocations=allocations,
        matched_quantity=int(quantities.sum()),
        total_score=float((quantities * scores).sum()),
        arcs=len(cands.supply),
        pruned=first_pass_pruned,
        timings=timings,
        relaxation_quantity=int(relaxed.sum()),
        relaxation_score=float((relaxed * cands.score).sum()),
        proven_optimal=all(r.proven_optimal for r in reports),
        components=reports,
        unmatched_demand_ids=d.ids[~served].tolist(),
        repair_rounds=rounds,
        repair_arcs=repair_arcs,
        repair_quantity=int(flows.sum()) - first_pass_quantity,
        arcs_by_category=arcs_by_category,
        pruned_categories=sorted({cols.block_keys[b][0] for b in cands.pruned_blocks}),
        bound_quantity=max(bound_q, int(quantities.sum())),
        bound_score=bound_g,
        bound_by_category=bound_by_category,
    )


def _allocations(cols, cands, flows, config, start: int, stop: int) -> list[Allocation]:
    """Allocation objects (with breakdowns) of the arcs start..stop-1 that carry flow, in arc order."""
    s, d = cols.supplies, cols.demands
    used = start + np.flatnonzero(flows[start:stop] > 0)
    s_idx, d_idx, scores = cands.supply[used], cands.demand[used], cands.score[used]
    parts = breakdowns(cols, s_idx, d_idx, scores, config)
    return build_many(
        Allocation,
        zip(
            s.ids[s_idx].tolist(),
            d.ids[d_idx].tolist(),
            flows[used].tolist(),
            s.price[s_idx].tolist(),
            scores.tolist(),
            parts, strict=True,
        ),
    )


def _solve(cols, cands, supply_cap: np.ndarray, demand_cap: np.ndarray, config: MatchConfig):
    """Flows and relaxation flows per arc (aligned with cands), and the component reports.

    Capacities are global (per listing and per order): the quantities for the
    first solve, what is left of them for the repair round.
    """
    gain = np.maximum(np.rint(cands.score * config.score_scale).astype(np.int64), 1)
    s, d = cands.supply, cands.demand
    bounds = batch_bounds(cands.block)

    def build(i: int) -> FlowProblem:  # run in the worker that solves batch i (solver.solve_built)
        a, b = bounds[i]
        rows_s, arc_s = np.unique(s[a:b], return_inverse=True)
        rows_d, arc_d = np.unique(d[a:b], return_inverse=True)
        return FlowProblem(
            arc_s=arc_s.reshape(-1),
            arc_d=arc_d.reshape(-1),
            gain=gain[a:b],
            supply_cap=supply_cap[rows_s],
            demand_cap=demand_cap[rows_d],
            moq=cols.supplies.moq[rows_s],
            split=cols.demands.allow_split[rows_d],
        )

    results = solve_built(build, [b - a for a, b in bounds], config)
    empty = np.zeros(0, np.int64)
    flows = np.concatenate([r.flows for r in results]) if results else empty
    relaxed = np.concatenate([r.relaxation for r in results]) if results else empty
    return flows, relaxed, [report for r in results for report in r.reports]



def _resolvable(cols, cands, config) -> list[int]:
    """The pruned blocks with at most repair_resolve_max_arcs arcs each.

    Decided per block, from the block alone, so per-category calls re-solve the
    same blocks as one call over everything.
    """
    counts = np.bincount(cands.block, minlength=len(cols.block_keys))
    return [b for b in cands.pruned_blocks if counts[b] <= config.repair_resolve_max_arcs]


def _resolve_union(cols, cands, flows, relaxed, reports, config, blocks):
    """Solve the given pruned blocks again on all their arcs (first pass and repair), from scratch.

    The repair rounds only add flow along new arcs; a solve of the union can also
    move flow the first pass placed. Blocks share no listing or order, so each
    block keeps whichever of the two valid allocations is better (quantity, then
    gain), and the result is never worse than the rounds' alone.
    """
    in_pruned = np.isin(cands.block, np.asarray(blocks, dtype=cands.block.dtype))
    arcs = np.flatnonzero(in_pruned)
    arcs = arcs[np.argsort(cands.block[arcs], kind="stable")]  # whole blocks per batch
    sub = Candidates(cands.supply[arcs], cands.demand[arcs], cands.score[arcs], cands.block[arcs], True, [])
    again, again_relaxed, again_reports = _solve(cols, sub, cols.supplies.quantity, cols.demands.quantity, config)
    gain = np.maximum(np.rint(sub.score * config.score_scale).astype(np.int64), 1)
    n_blocks = len(cols.block_keys)

    def per_block(f):
        return np.bincount(sub.block, weights=f, minlength=n_blocks), np.bincount(
            sub.block, weights=f * gain, minlength=n_blocks
        )

    (q_old, g_old), (q_new, g_new) = per_block(flows[arcs]), per_block(again)
    better = (q_new > q_old) | ((q_new == q_old) & (g_new > g_old))
    take = better[sub.block]
    flows, relaxed = flows.copy(), relaxed.copy()
    flows[arcs[take]] = again[take]
    # The union's relaxation bounds the union's optimum: report it for the pruned blocks.
    relaxed[arcs] = again_relaxed
    return flows, relaxed, reports + again_reports
