"""match(): encode, generate candidates, solve, and report allocations with their breakdowns."""

from __future__ import annotations

from datetime import date
from time import perf_counter
from typing import Sequence

import numpy as np

from .candidates import generate_candidates
from .columns import build_columns
from .flow import FlowProblem
from .scoring import breakdowns, demand_term, supply_term
from .solver import batch_bounds, solve_batches
from .types import Allocation, Demand, MatchConfig, MatchResult, Supply


def match(
    supplies: Sequence[Supply],
    demands: Sequence[Demand],
    *,
    now: date,
    config: MatchConfig | None = None,
) -> MatchResult:
    """Allocate listings to orders: the most quantity, then the best total score."""
    config = config or MatchConfig()
    timings: dict[str, float] = {}
    clock = perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now_ = perf_counter()
        timings[name] = now_ - clock
        clock = now_

    cols = build_columns(supplies, demands, now)
    lap("encode")
    cands = generate_candidates(cols, config, supply_term(cols, config), demand_term(cols, config))
    lap("candidates")

    gain = np.maximum(np.rint(cands.score * config.score_scale).astype(np.int64), 1)
    s, d = cols.supplies, cols.demands
    problems, spans = [], batch_bounds(cands.block)
    for a, b in spans:
        rows_s = np.unique(cands.supply[a:b])
        rows_d = np.unique(cands.demand[a:b])
        problems.append(
            FlowProblem(
                arc_s=np.searchsorted(rows_s, cands.supply[a:b]),
                arc_d=np.searchsorted(rows_d, cands.demand[a:b]),
                gain=gain[a:b],
                supply_cap=s.quantity[rows_s],
                demand_cap=d.quantity[rows_d],
                moq=s.moq[rows_s],
                split=d.allow_split[rows_d],
            )
        )
    results = solve_batches(problems, config)
    flows = np.concatenate([r.flows for r in results]) if results else np.zeros(0, np.int64)
    relaxed = np.concatenate([r.relaxation for r in results]) if results else np.zeros(0, np.int64)
    reports = [report for r in results for report in r.reports]
    lap("solve")

    used = np.flatnonzero(flows > 0)
    s_idx, d_idx = cands.supply[used], cands.demand[used]
    scores = cands.score[used]
    quantities = flows[used]
    parts = breakdowns(cols, s_idx, d_idx, scores, config)
    allocations = [
        Allocation(supply_id=sid, demand_id=did, quantity=q, unit_price=price, score=score, breakdown=part)
        for sid, did, q, price, score, part in zip(
            s.ids[s_idx].tolist(),
            d.ids[d_idx].tolist(),
            quantities.tolist(),
            s.price[s_idx].tolist(),
            scores.tolist(),
            parts,
        )
    ]
    served = np.zeros(len(d.ids), dtype=bool)
    served[d_idx] = True
    lap("allocations")
    timings["total"] = sum(timings.values())
    return MatchResult(
        allocations=allocations,
        matched_quantity=int(quantities.sum()),
        total_score=float((quantities * scores).sum()),
        arcs=len(cands.supply),
        pruned=cands.pruned,
        timings=timings,
        relaxation_quantity=int(relaxed.sum()),
        relaxation_score=float((relaxed * cands.score).sum()),
        proven_optimal=all(r.proven_optimal for r in reports),
        components=reports,
        unmatched_demand_ids=d.ids[~served].tolist(),
    )
