"""The two rules plain flow cannot express: non-split orders and minimum order quantities.

* Non-split: an order with allow_split=False takes its whole quantity from one
  listing, or nothing.
* Minimum order: every allocation is at least its listing's min_order_quantity.

`solve_exact` states both with CP-SAT (one integer and, where a rule applies, one
boolean per arc) and optimises lexicographically in two solves: the most
quantity, then the most gain at that quantity. It runs single-threaded with a
deterministic work limit, so its answer does not depend on load or core count.

`repair` is the heuristic for components too large for CP-SAT. It starts from
the flow relaxation, which is optimal when the rules are ignored:
  1. non-split orders the relaxation served are given whole to one listing, in
     order of how fully the relaxation served them, preferring the listing that
     sent them the most, then the best-scoring one with enough stock left;
  2. the split orders keep their relaxation flows, cut (lowest score first) on
     listings whose stock step 1 used up (full_resolve=True re-solves the flow
     instead: slightly better, but it costs a second full solve);
  3. arcs below their listing's minimum are dropped and banned, and the stock
     and order room left are offered again by a flow on the residual graph (new
     arcs only if the listing still has its minimum left); up to REFILL_ROUNDS
     times, after which any arc still below its minimum is dropped;
  4. non-split orders still unserved take any listing that can still fill them.
Every step only ever adds allocations that satisfy both rules, so the result
never breaks them; tests/unit/matching measure its gap to solve_exact.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from .flow import FlowProblem, max_flow_min_cost, totals

REFILL_ROUNDS = 4


def repair(problem: FlowProblem, relaxed: np.ndarray, full_resolve: bool = False) -> np.ndarray:
    flows = np.zeros(len(problem.arc_s), dtype=np.int64)
    stock = problem.supply_cap.copy()
    unsplit = ~problem.split[problem.arc_d]
    received = np.bincount(problem.arc_d, weights=relaxed, minlength=problem.n_demands)

    served_by_relaxation = np.flatnonzero(~problem.split & (received > 0))
    share = received[served_by_relaxation] / problem.demand_cap[served_by_relaxation]
    first = served_by_relaxation[np.lexsort((served_by_relaxation, -share))]
    _serve_unsplit(problem, first, relaxed, flows, stock)

    split_arcs = ~unsplit
    demand_room = np.where(problem.split, problem.demand_cap, 0)
    if full_resolve:
        opened = split_arcs & (stock[problem.arc_s] >= problem.moq[problem.arc_s])
        flows += max_flow_min_cost(problem, stock, demand_room, np.where(opened, np.iinfo(np.int64).max, 0))
    else:
        flows += _keep_within_stock(problem, np.where(split_arcs, relaxed, 0), stock)
    banned = np.zeros(len(flows), dtype=bool)
    for round_no in range(REFILL_ROUNDS + 1):
        too_small = (flows > 0) & (flows < problem.moq[problem.arc_s]) & split_arcs
        if round_no > 0 and not too_small.any():
            break
        flows[too_small] = 0
        banned |= too_small
        stock_left = problem.supply_cap - np.bincount(problem.arc_s, weights=flows, minlength=problem.n_supplies)
        room_left = demand_room - np.bincount(problem.arc_d, weights=flows, minlength=problem.n_demands)
        stock_left = stock_left.astype(np.int64)
        room_left = room_left.astype(np.int64)
        # Growing an existing allocation is always allowed; a new one needs the minimum.
        new_ok = (flows == 0) & (stock_left[problem.arc_s] >= problem.moq[problem.arc_s])
        open_arcs = split_arcs & ~banned & ((flows > 0) | new_ok)
        extra = max_flow_min_cost(problem, stock_left, room_left, np.where(open_arcs, np.iinfo(np.int64).max, 0))
        flows += extra
    flows[(flows > 0) & (flows < problem.moq[problem.arc_s])] = 0

    stock = problem.supply_cap - np.bincount(problem.arc_s, weights=flows, minlength=problem.n_supplies).astype(
        np.int64
    )
    got = np.bincount(problem.arc_d, weights=flows, minlength=problem.n_demands)
    rest = np.flatnonzero(~problem.split & (got == 0))
    _serve_unsplit(problem, rest, relaxed, flows, stock)
    return flows


def _keep_within_stock(problem: FlowProblem, flows: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """Cut flows (lowest gain first) on listings that now hold less stock than the flows need."""
    used = np.bincount(problem.arc_s, weights=flows, minlength=problem.n_supplies).astype(np.int64)
    excess = np.maximum(used - stock, 0)
    if not excess.any():
        return flows
    flows = flows.copy()
    arcs = np.flatnonzero((excess[problem.arc_s] > 0) & (flows > 0))
    arcs = arcs[np.lexsort((arcs, problem.gain[arcs], problem.arc_s[arcs]))]
    s = problem.arc_s[arcs]
    cum = np.cumsum(flows[arcs])
    first = np.r_[True, s[1:] != s[:-1]]
    before = cum - flows[arcs] - np.maximum.accumulate(np.where(first, cum - flows[arcs], 0))
    cut = np.clip(excess[s] - before, 0, flows[arcs])
    flows[arcs] -= cut
    return flows


def _serve_unsplit(problem: FlowProblem, orders: np.ndarray, relaxed, flows, stock) -> None:
    """Give each order (in the given sequence) its whole quantity from one listing, if any can."""
    if len(orders) == 0:
        return
    arcs_by_order = np.argsort(problem.arc_d, kind="stable")
    bounds = np.searchsorted(problem.arc_d[arcs_by_order], np.arange(problem.n_demands + 1))
    for d in orders.tolist():
        arcs = arcs_by_order[bounds[d] : bounds[d + 1]]
        if len(arcs) == 0 or flows[arcs].any():
            continue
        need = problem.demand_cap[d]
        arcs = arcs[stock[problem.arc_s[arcs]] >= need]
        if len(arcs) == 0:
            continue
        best = arcs[np.lexsort((problem.arc_s[arcs], -problem.gain[arcs], -relaxed[arcs]))[0]]
        flows[best] = need
        stock[problem.arc_s[best]] -= need


def solve_exact(
    problem: FlowProblem, hint: np.ndarray | None, work_limit: float, upper_quantity: int | None = None
) -> tuple[np.ndarray, bool] | None:
    """(flows, proven optimal) from CP-SAT, or None when it found no solution in time.

    upper_quantity, if given, is an upper bound on the quantity (the flow
    relaxation's). CP-SAT is then first asked for the best gain at exactly that
    quantity, in one solve: when that is feasible it is the lexicographic optimum
    (at 10k x 10k it was for all 30 components, and this halves CP-SAT's time);
    only when it is not does the two-solve search below run.
    """
    model = cp_model.CpModel()
    n = len(problem.arc_s)
    cap = np.minimum(problem.supply_cap[problem.arc_s], problem.demand_cap[problem.arc_d])
    moq = problem.moq[problem.arc_s]
    x = [model.new_int_var(0, int(cap[a]), f"x{a}") for a in range(n)]
    used_by_order: dict[int, list] = {}
    for a in range(n):
        d = int(problem.arc_d[a])
        if not problem.split[d]:
            used = model.new_bool_var(f"y{a}")
            model.add(x[a] == int(problem.demand_cap[d]) * used)
            used_by_order.setdefault(d, []).append(used)
        elif moq[a] > 1:
            used = model.new_bool_var(f"y{a}")
            model.add(x[a] >= int(moq[a])).only_enforce_if(used)
            model.add(x[a] == 0).only_enforce_if(~used)
    for uses in used_by_order.values():
        model.add_at_most_one(uses)
    for side, caps in ((problem.arc_s, problem.supply_cap), (problem.arc_d, problem.demand_cap)):
        order = np.argsort(side, kind="stable")
        bounds = np.searchsorted(side[order], np.arange(len(caps) + 1))
        for node in range(len(caps)):
            arcs = order[bounds[node] : bounds[node + 1]]
            if len(arcs) > 1 or (len(arcs) == 1 and cap[arcs[0]] > caps[node]):
                model.add(sum(x[a] for a in arcs.tolist()) <= int(caps[node]))

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = work_limit / 2

    def hint_with(values):
        model.clear_hints()
        for a in range(n):
            model.add_hint(x[a], int(values[a]))

    quantity = sum(x)
    gain = sum(int(g) * v for g, v in zip(problem.gain.tolist(), x, strict=True))
    if upper_quantity is not None:
        # Enforced through an assumption, so the later solves can drop it.
        at_bound = model.new_bool_var("at_bound")
        model.add(quantity >= int(upper_quantity)).only_enforce_if(at_bound)
        model.add_assumption(at_bound)
        model.maximize(gain)
        if hint is not None:
            hint_with(hint)
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return np.array([solver.value(v) for v in x], dtype=np.int64), status == cp_model.OPTIMAL
        # Infeasible (or unknown in time): the quantity is below the bound; search for it.
        model.clear_assumptions()
    if hint is not None:
        hint_with(hint)
    model.maximize(quantity)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    proven = status == cp_model.OPTIMAL
    best_quantity = int(solver.objective_value)
    first = np.array([solver.value(v) for v in x], dtype=np.int64)
    model.add(quantity >= best_quantity)
    model.maximize(gain)
    hint_with(first)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return first, False
    second = np.array([solver.value(v) for v in x], dtype=np.int64)
    return second, proven and status == cp_model.OPTIMAL


def better(problem: FlowProblem, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The lexicographically better of two valid allocations (a on ties)."""
    return a if totals(problem, a) >= totals(problem, b) else b
