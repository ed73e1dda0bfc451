"""Min-cost max-flow on a bipartite listing -> order graph, with OR-Tools.

Scores become integer gains round(score * scale), and arc costs are -gain.
With scale = 10**6 rounding moves each arc's per-unit score by at most 5e-7, so
the flow chosen is within matched_quantity * 1e-6 of the best real-valued total
score (0.0001 % of the largest possible total); two allocations whose totals
differ by more than that are always ranked correctly. The cost-scaling solver
multiplies costs by (nodes + 1); 10**6 * 200,001 stays far inside int64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow


@dataclass(frozen=True)
class FlowProblem:
    """A bipartite instance in local indices (listings 0..n_s-1, orders 0..n_d-1)."""

    arc_s: np.ndarray  # int64
    arc_d: np.ndarray  # int64
    gain: np.ndarray  # int64, round(score * scale) >= 1
    supply_cap: np.ndarray  # int64 per listing
    demand_cap: np.ndarray  # int64 per order
    moq: np.ndarray  # int64 per listing
    split: np.ndarray  # bool per order

    @property
    def n_supplies(self) -> int:
        return len(self.supply_cap)

    @property
    def n_demands(self) -> int:
        return len(self.demand_cap)

    def subset(self, arcs: np.ndarray, supplies: np.ndarray, demands: np.ndarray) -> FlowProblem:
        """The sub-problem on the given arcs, listings and orders (all sorted index arrays)."""
        return FlowProblem(
            arc_s=np.searchsorted(supplies, self.arc_s[arcs]),
            arc_d=np.searchsorted(demands, self.arc_d[arcs]),
            gain=self.gain[arcs],
            supply_cap=self.supply_cap[supplies],
            demand_cap=self.demand_cap[demands],
            moq=self.moq[supplies],
            split=self.split[demands],
        )


def max_flow_min_cost(
    problem: FlowProblem,
    supply_cap: np.ndarray | None = None,
    demand_cap: np.ndarray | None = None,
    arc_cap: np.ndarray | None = None,
) -> np.ndarray:
    """Flow per arc: the largest total, and among those the largest total gain.

    Capacities default to the problem's; an arc never carries more than what both
    of its ends can give or take.
    """
    supply_cap = problem.supply_cap if supply_cap is None else supply_cap
    demand_cap = problem.demand_cap if demand_cap is None else demand_cap
    n_arcs = len(problem.arc_s)
    if n_arcs == 0:
        return np.zeros(0, dtype=np.int64)
    cap = np.minimum(supply_cap[problem.arc_s], demand_cap[problem.arc_d])
    if arc_cap is not None:
        cap = np.minimum(cap, arc_cap)
    cap = np.maximum(cap, 0)
    live = np.flatnonzero(cap > 0)
    flows = np.zeros(n_arcs, dtype=np.int64)
    if len(live) == 0:
        return flows
    n_s = problem.n_supplies
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        problem.arc_s[live], n_s + problem.arc_d[live], cap[live], -problem.gain[live]
    )
    nodes = np.arange(n_s + problem.n_demands)
    solver.set_nodes_supplies(nodes, np.concatenate([supply_cap, -demand_cap]).astype(np.int64))
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    flows[live] = solver.flows(np.arange(len(live)))
    return flows


def violations(problem: FlowProblem, flows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arcs under their listing's minimum order, and non-split orders not filled whole by one listing."""
    used = flows > 0
    small_arcs = np.flatnonzero(used & (flows < problem.moq[problem.arc_s]))
    sources = np.bincount(problem.arc_d, weights=used, minlength=problem.n_demands)
    received = np.bincount(problem.arc_d, weights=flows, minlength=problem.n_demands).astype(np.int64)
    bad_orders = np.flatnonzero(~problem.split & (received > 0) & ((sources > 1) | (received != problem.demand_cap)))
    return small_arcs, bad_orders


def totals(problem: FlowProblem, flows: np.ndarray) -> tuple[int, int]:
    """(quantity, gain): the lexicographic objective, comparable as a tuple."""
    return int(flows.sum()), int((flows * problem.gain).sum())
