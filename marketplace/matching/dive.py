"""A dive for non-split orders and minimum order quantities: decide a few things, re-solve the flow, repeat.

integral.repair decides every non-split order at once and then re-solves only the
split orders, so the flow never routes around its choices: at 10k x 10k its
components lost 24k units against their relaxation, 15k to the non-split choices
and 9k to minimum orders (bench/RESULTS-matching.md). CP-SAT reaches the
relaxation's quantity on every one of those components it finishes, so the loss
is the heuristic's, not the problem's.

First the non-split orders the relaxation touches are rounded all at once
(`_round_unsplit`, Shmoys and Tardos's rounding in rounding.py), up to ROUNDINGS times with a
max flow between. Then two stages, each a sequence of rounds "decide what the
flow breaks, re-solve":

1. Quantity (OR-Tools' max flow, ~15x cheaper than the min-cost flow). A
   non-split order the flow serves from several listings or in part is given
   whole to one listing (`base` holds its quantity on that arc) or closed; an
   arc under its listing's minimum is forced up to it (a lower bound in `base`)
   or banned. Decisions are tested in batches: a batch is kept when the max
   flow does not drop, else halved, down to single decisions, which take the
   least costly of their options (serve from one of the three listings that
   sent the most, or close; force or ban). Up to `test_budget` max flows per
   component; after that a round's decisions are taken without testing.
   When the decided flow is still below the relaxation, its minimum cut says
   where: moves that free stock behind the cut (a non-split order moved to a
   listing in front of it, a closed one opened there, an arc banned for its
   minimum forced to it instead) are tested one at a time (`_swaps`).
2. Score. Stage 1's non-split decisions are kept and the split orders are solved
   again by the min-cost max flow, with minimum orders handled by the same
   force-or-ban rounds (untested: on minimum orders alone this lost 0.01 % of
   the relaxation at 10k, where repair lost 0.4 %). Those untested rounds can
   lose what stage 1 had, so stage 1's own flow, made valid and re-solved for the
   score on its own structure (`_polish`), is the other candidate; the better is kept.

What still breaks a rule after the rounds is dropped, the flow is grown along
arcs that cannot break one, and unserved non-split orders take whole quantities
from the stock left. The answer obeys both rules by construction (solver.py
checks it anyway, and keeps repair's answer where it is better or the check fails).
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow

from .flow import FlowProblem, max_flow_min_cost, totals
from .rounding import assign_unsplit

BIG = np.iinfo(np.int64).max
OPTIONS = 3  # listings tried for a non-split order whose preferred one loses quantity
ROUNDINGS = 3  # rounds of _round_unsplit: at 10k x 10k one alone lost 315 units more, more than three changed nothing


def dive(problem: FlowProblem, relaxed: np.ndarray, rounds: int = 4, test_budget: int = 150,
         score_rounds: int = 1, swap_tests: int = 60) -> np.ndarray:
    state = _State(problem)
    flows = relaxed.astype(np.int64)
    for _ in range(ROUNDINGS):
        if not _round_unsplit(state, flows):
            break
        flows = state.max_flow()
    flows = _quantity_stage(state, flows, rounds, test_budget)
    flows = _swaps(state, flows, int(relaxed.sum()), swap_tests)
    # Stage 2 keeps stage 1's whole non-split allocations (decided or not): the split
    # orders are re-solved for the score.
    split_arc = problem.split[problem.arc_d]
    keep = ~split_arc & ~_bad_orders(problem, flows)[problem.arc_d] & (flows >= problem.moq[problem.arc_s])
    base = np.where(keep, flows, 0)
    arc_room = np.where(split_arc, BIG, 0)
    scored = _finish(problem, _min_orders(problem, base, arc_room, score_rounds), base, ~problem.split)
    # Stage 2's untested minimum-order rounds can lose what stage 1 kept; stage 1's own
    # flow, made valid and polished for the score on its structure, often does not.
    kept = _polish(problem, _finish(problem, flows, base, np.zeros(problem.n_demands, dtype=bool)))
    return scored if totals(problem, scored) >= totals(problem, kept) else kept


def _round_unsplit(state: _State, flows: np.ndarray) -> bool:
    """Serve every undecided non-split order the flow sends to whole from one listing, in one step.

    rounding.assign_unsplit picks the listings; where that is more than a
    listing's stock, its smallest served orders are left undecided again, for the
    next round or the tests. Deciding orders one by one, as the tests do, makes
    early orders take the listings later ones need (at 10k x 10k: 2,799 units lost
    on the largest component instead of 1,102 after the rounding). True when it
    served an order.
    """
    p = state.p
    chosen = assign_unsplit(p, flows, ~state.decided)
    undos = {a: state.apply(("serve", a)) for a in chosen.tolist()}
    over = np.bincount(p.arc_s, weights=state.base, minlength=p.n_supplies) - p.supply_cap
    for a in chosen[np.lexsort((chosen, p.demand_cap[p.arc_d[chosen]]))].tolist():
        if over[p.arc_s[a]] > 0:
            state.revert(undos.pop(a))
            over[p.arc_s[a]] -= p.demand_cap[p.arc_d[a]]
    return bool(undos)


class _State:
    """Decisions so far: fixed flows (base), banned arcs, decided non-split orders."""

    def __init__(self, problem: FlowProblem):
        self.p = problem
        self.base = np.zeros(len(problem.arc_s), dtype=np.int64)
        self.arc_room = np.full(len(problem.arc_s), BIG, dtype=np.int64)
        self.decided = np.zeros(problem.n_demands, dtype=bool)
        self.tests = 0
        self.solver = _MaxFlow(problem)

    def max_flow(self) -> np.ndarray:
        p = self.p
        stock = p.supply_cap - np.bincount(p.arc_s, weights=self.base, minlength=p.n_supplies).astype(np.int64)
        room = p.demand_cap - np.bincount(p.arc_d, weights=self.base, minlength=p.n_demands).astype(np.int64)
        room[self.decided] = 0
        self.tests += 1
        return self.base + self.solver.flows(stock, np.maximum(room, 0), self.arc_room)

    def apply(self, decision) -> tuple:
        kind, a = decision
        p, d = self.p, int(self.p.arc_d[decision[1]])
        undo = (kind, a, int(self.base[a]), int(self.arc_room[a]))
        if kind == "serve":
            self.base[a], self.arc_room[a], self.decided[d] = p.demand_cap[d], 0, True
        elif kind == "close":
            self.decided[d] = True
        elif kind == "force":
            self.base[a] = p.moq[p.arc_s[a]]
        else:  # ban
            self.arc_room[a] = 0
        return undo

    def revert(self, undo) -> None:
        kind, a, base, room = undo
        self.base[a], self.arc_room[a] = base, room
        if kind in ("serve", "close"):
            self.decided[int(self.p.arc_d[a])] = False

    def source_side(self) -> np.ndarray:
        """Mask over listings then orders: the source side of a minimum cut of the current max flow."""
        self.max_flow()
        return self.solver.source_side()

    def move(self, kind: str, a: int, b: int) -> tuple:
        """Serve a's non-split order from arc b instead ("move"), serve b's closed order ("open", a == b),
        or force banned arc a to its minimum ("unban")."""
        p = self.p
        undo = (a, b, int(self.base[a]), int(self.arc_room[a]), int(self.base[b]), int(self.arc_room[b]))
        if kind in ("move", "open"):
            if kind == "move":
                self.base[a], self.arc_room[a] = 0, BIG
            self.base[b], self.arc_room[b] = p.demand_cap[p.arc_d[b]], 0
        else:
            self.base[a], self.arc_room[a] = p.moq[p.arc_s[a]], BIG
        return undo

    def unmove(self, undo) -> None:
        a, b, base_a, room_a, base_b, room_b = undo
        self.base[b], self.arc_room[b] = base_b, room_b
        self.base[a], self.arc_room[a] = base_a, room_a

    def fits(self) -> bool:
        p = self.p
        return bool(
            (np.bincount(p.arc_s, weights=self.base, minlength=p.n_supplies) <= p.supply_cap).all()
            and (np.bincount(p.arc_d, weights=self.base, minlength=p.n_demands) <= p.demand_cap).all()
        )


def _quantity_stage(state: _State, flows: np.ndarray, rounds: int, test_budget: int) -> np.ndarray:
    p = state.p
    by_order = np.argsort(p.arc_d, kind="stable")
    bounds = np.searchsorted(p.arc_d[by_order], np.arange(p.n_demands + 1))
    value = int(flows.sum())
    for _ in range(rounds):
        choices = _choices(state, flows, by_order, bounds)
        if not choices:
            return flows
        stack = [choices]
        while stack:
            batch = stack.pop()
            undos = [state.apply(options[0]) for options in batch]
            if state.tests >= test_budget:  # untested: keep the preferred options if they fit
                if not state.fits():
                    _undo_and_halve(state, undos, batch, stack)
                continue
            if state.fits():
                trial = state.max_flow()
                if trial.sum() >= value:
                    flows = trial
                    continue
            if _undo_and_halve(state, undos, batch, stack):
                continue
            best = None  # one decision that costs quantity: its least costly option
            for option in batch[0]:
                undo = state.apply(option)
                if state.fits():
                    trial = state.max_flow()
                    if best is None or trial.sum() > best[1].sum():
                        best = (option, trial)
                state.revert(undo)
            if best is not None:
                state.apply(best[0])
                flows, value = best[1], int(best[1].sum())
        flows = state.max_flow()
        value = int(flows.sum())
    return flows


def _undo_and_halve(state: _State, undos, batch, stack) -> bool:
    """Take a rejected batch back; if it held several decisions, queue its halves (True)."""
    for undo in reversed(undos):
        state.revert(undo)
    if len(batch) > 1:
        stack += [batch[len(batch) // 2 :], batch[: len(batch) // 2]]
        return True
    return False


def _swaps(state: _State, flows: np.ndarray, target: int, budget: int) -> np.ndarray:
    """Moves the minimum cut of the decided flow points at, kept where the max flow grows.

    A max flow below the relaxation's is held back by a cut: listings on its sink
    side have no stock left to reach. A non-split order served whole by such a
    listing is moved to a listing on the source side that can fill it alone (which
    frees stock where it is short), a non-split order closed earlier is opened at
    such a listing, and an arc banned for its minimum from a
    source-side listing to an order with room is forced to that minimum instead.
    One move is tested at a time, and each kept move gets a fresh cut; at most
    `budget` max flows.
    """
    p = state.p
    value, used = int(flows.sum()), 0
    by_order = np.argsort(p.arc_d, kind="stable")
    bounds = np.searchsorted(p.arc_d[by_order], np.arange(p.n_demands + 1))
    while value < target and used < budget:
        source_side = state.source_side()
        used += 1
        listing_in, order_in = source_side[: p.n_supplies], source_side[p.n_supplies :]
        stock = p.supply_cap - np.bincount(p.arc_s, weights=state.base, minlength=p.n_supplies)
        room = p.demand_cap - np.bincount(p.arc_d, weights=state.base, minlength=p.n_demands)
        moves = []
        for a in np.flatnonzero((state.base > 0) & ~p.split[p.arc_d] & ~listing_in[p.arc_s]).tolist():
            d = int(p.arc_d[a])
            if (b := _filling_alone(p, by_order[bounds[d] : bounds[d + 1]], listing_in, stock)) is not None:
                moves.append(("move", a, b))
        served = np.bincount(p.arc_d, weights=state.base > 0, minlength=p.n_demands) > 0
        for d in np.flatnonzero(state.decided & ~served).tolist():  # closed earlier
            if (b := _filling_alone(p, by_order[bounds[d] : bounds[d + 1]], listing_in, stock)) is not None:
                moves.append(("open", b, b))
        banned = np.flatnonzero((state.arc_room == 0) & (state.base == 0) & p.split[p.arc_d]
                                & listing_in[p.arc_s] & ~order_in[p.arc_d])
        minimum = p.moq[p.arc_s[banned]]
        banned = banned[(stock[p.arc_s[banned]] >= minimum) & (room[p.arc_d[banned]] >= minimum)]
        moves += [("unban", int(a), int(a)) for a in banned[np.lexsort((banned, -p.gain[banned]))].tolist()]
        grown = False
        for kind, a, b in moves:
            if used >= budget:
                break
            undo = state.move(kind, a, b)
            trial = state.max_flow()
            used += 1
            if trial.sum() > value:
                flows, value, grown = trial, int(trial.sum()), True
                break
            state.unmove(undo)
        if not grown:
            break
    return flows


def _filling_alone(p: FlowProblem, arcs: np.ndarray, listing_in: np.ndarray, stock: np.ndarray) -> int | None:
    """Of one order's arcs, the best-scoring one from a source-side listing with stock to fill the order alone."""
    need = p.demand_cap[p.arc_d[arcs[0]]] if len(arcs) else 0
    arcs = arcs[listing_in[p.arc_s[arcs]] & (stock[p.arc_s[arcs]] >= need) & (p.moq[p.arc_s[arcs]] <= need)]
    return int(arcs[np.lexsort((arcs, -p.gain[arcs]))[0]]) if len(arcs) else None


def _polish(problem: FlowProblem, flows: np.ndarray) -> np.ndarray:
    """The best score on the valid flow's structure, at least its quantity.

    Non-split allocations stay as they are and every allocation of a split order
    keeps its minimum; split orders then get a min-cost max flow on the arcs they
    already use and on arcs whose minimum is 1.
    """
    s_of, d_of = problem.arc_s, problem.arc_d
    moq = problem.moq[s_of]
    split_arc = problem.split[d_of]
    lower = np.where(split_arc, np.where((flows > 0) & (moq > 1), moq, 0), flows)
    stock, room = _left_for_split(problem, lower)
    open_arcs = split_arc & ((moq <= 1) | (flows > 0))
    return lower + max_flow_min_cost(problem, stock, room, np.where(open_arcs, BIG, 0))


def _choices(state: _State, flows, by_order, bounds) -> list[list[tuple[str, int]]]:
    """For each rule the flow breaks, its options, the preferred one first."""
    p = state.p
    s_of = p.arc_s
    moq = p.moq[s_of]
    out = []
    stock = p.supply_cap - np.bincount(s_of, weights=state.base, minlength=p.n_supplies)
    for d in np.flatnonzero(_bad_orders(p, flows) & ~state.decided).tolist():
        arcs = by_order[bounds[d] : bounds[d + 1]]
        # The generator never pairs an order with a listing whose minimum is above its quantity; checked anyway.
        arcs = arcs[(stock[s_of[arcs]] >= p.demand_cap[d]) & (moq[arcs] <= p.demand_cap[d])]
        arcs = arcs[np.lexsort((s_of[arcs], -p.gain[arcs], -flows[arcs]))][:OPTIONS]
        out.append([("serve", int(a)) for a in arcs] + [("close", int(by_order[bounds[d]]))])
    small = np.flatnonzero(p.split[p.arc_d] & (state.base == 0) & (flows > 0) & (flows < moq))
    for a in small.tolist():
        options = [("force", a), ("ban", a)]
        out.append(options if 2 * flows[a] >= moq[a] else options[::-1])
    return out


def _min_orders(problem: FlowProblem, base, arc_room, rounds: int) -> np.ndarray:
    """Min-cost max flow on top of base, with arcs under their minimum forced up or banned, round by round."""
    s_of, d_of = problem.arc_s, problem.arc_d
    moq = problem.moq[s_of]
    split_arc = problem.split[d_of]
    flows = None
    for _ in range(rounds + 1):
        stock, room = _left_for_split(problem, base)
        if flows is not None:
            small = np.flatnonzero(split_arc & (base == 0) & (flows > 0) & (flows < moq))
            if len(small) == 0:
                return flows
            # Force the arcs the flow half wants (if both ends still have the minimum), ban the rest.
            for a in small[np.argsort(-flows[small] / moq[small], kind="stable")].tolist():
                s, d, m = int(s_of[a]), int(d_of[a]), int(moq[a])
                if 2 * flows[a] >= m and stock[s] >= m and room[d] >= m:
                    base[a] = m
                    stock[s] -= m
                    room[d] -= m
                else:
                    arc_room[a] = 0
        flows = base + max_flow_min_cost(problem, stock, room, arc_room)
    return flows


def _left_for_split(problem: FlowProblem, flows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Stock each listing has left after flows, and room each split order has left (0 for non-split ones)."""
    split_arc = problem.split[problem.arc_d]
    stock = problem.supply_cap - np.bincount(problem.arc_s, weights=flows, minlength=problem.n_supplies)
    room = np.where(problem.split, problem.demand_cap, 0) - np.bincount(
        problem.arc_d, weights=np.where(split_arc, flows, 0), minlength=problem.n_demands)
    return stock.astype(np.int64), room.astype(np.int64)


def _bad_orders(problem: FlowProblem, flows: np.ndarray) -> np.ndarray:
    """Mask of non-split orders the flow serves from several listings or in part."""
    used = flows > 0
    sources = np.bincount(problem.arc_d, weights=used, minlength=problem.n_demands)
    received = np.bincount(problem.arc_d, weights=flows, minlength=problem.n_demands).astype(np.int64)
    return ~problem.split & (received > 0) & ((sources > 1) | (received != problem.demand_cap))


class _MaxFlow:
    """OR-Tools' max flow on one component, built once: each test only sets capacities."""

    def __init__(self, problem: FlowProblem):
        self.p = problem
        n_s, n_d = problem.n_supplies, problem.n_demands
        self.source, self.sink = n_s + n_d, n_s + n_d + 1
        self.solver = max_flow.SimpleMaxFlow()
        self.solver.add_arcs_with_capacity(
            np.concatenate([np.full(n_s, self.source), problem.arc_s, n_s + np.arange(n_d)]),
            np.concatenate([np.arange(n_s), n_s + problem.arc_d, np.full(n_d, self.sink)]),
            np.zeros(n_s + len(problem.arc_s) + n_d, dtype=np.int64),
        )
        self.all_arcs = np.arange(n_s + len(problem.arc_s) + n_d, dtype=np.int32)
        self.problem_arcs = n_s + np.arange(len(problem.arc_s))

    def flows(self, stock, room, arc_room) -> np.ndarray:
        """Flow per arc of a maximum flow (any one) under the given capacities."""
        p = self.p
        cap = np.maximum(np.minimum(np.minimum(stock[p.arc_s], room[p.arc_d]), arc_room), 0)
        self.solver.set_arcs_capacity(self.all_arcs, np.concatenate([np.maximum(stock, 0), cap, room]))
        status = self.solver.solve(self.source, self.sink)
        if status != self.solver.OPTIMAL:
            raise RuntimeError(f"max flow failed: {status}")
        return self.solver.flows(self.problem_arcs).astype(np.int64)

    def source_side(self) -> np.ndarray:
        """Mask over listings then orders: the source side of the last solve's minimum cut."""
        side = np.zeros(self.p.n_supplies + self.p.n_demands + 2, dtype=bool)
        side[np.asarray(self.solver.get_source_side_min_cut(), dtype=np.int64)] = True
        return side[: self.p.n_supplies + self.p.n_demands]


def _finish(problem: FlowProblem, flows, base, decided) -> np.ndarray:
    """Drop what still breaks a rule, grow along safe arcs, serve unserved non-split orders whole."""
    s_of, d_of = problem.arc_s, problem.arc_d
    moq = problem.moq[s_of]
    split_arc = problem.split[d_of]
    flows = flows.copy()
    bad = _bad_orders(problem, flows) & ~decided
    flows[bad[d_of] & (base == 0)] = 0
    flows[(base == 0) & (flows < moq)] = 0  # a non-split order the flow filled alone can be under the minimum too
    stock, room = _left_for_split(problem, flows)
    # Growing an allocation already at its minimum, or opening one whose minimum is 1, breaks nothing.
    safe = split_arc & (((flows >= moq) & (flows > 0)) | (moq <= 1))
    flows += max_flow_min_cost(problem, np.maximum(stock, 0), np.maximum(room, 0), np.where(safe, BIG, 0))
    stock = problem.supply_cap - np.bincount(s_of, weights=flows, minlength=problem.n_supplies).astype(np.int64)
    got = np.bincount(d_of, weights=flows, minlength=problem.n_demands)
    by_order = np.argsort(d_of, kind="stable")
    bounds = np.searchsorted(d_of[by_order], np.arange(problem.n_demands + 1))
    for d in np.flatnonzero(~problem.split & (got == 0)).tolist():
        arcs = by_order[bounds[d] : bounds[d + 1]]
        need = int(problem.demand_cap[d])
        arcs = arcs[(stock[s_of[arcs]] >= need) & (moq[arcs] <= need)]
        if len(arcs) == 0:
            continue
        a = int(arcs[np.lexsort((s_of[arcs], -problem.gain[arcs]))[0]])
        flows[a] = need
        stock[s_of[a]] -= need
    return flows
