"""The dive (dive.py): valid allocations, and closer to the exact optimum than repair alone.

On the 40 seeded 12 x 12 instances of test_heuristic_gap (a third of the orders
non-split, half the listings with a minimum order), with CP-SAT off, the engine's
quantity averaged 99.47 % of the exact optimum (worst 94.0 %) with the dive on every
component, against 98.08 % (worst 86.0 %) with repair alone (measured 2026-12-07,
with the rounding of non-split orders; 99.25 % before it; the test prints the
numbers). The threshold holds it with a little slack.
"""

from __future__ import annotations

import numpy as np

from marketplace.matching import MatchConfig, match
from marketplace.matching.dive import _polish, _round_unsplit, _State, _swaps, dive
from marketplace.matching.flow import FlowProblem, max_flow_min_cost, totals, violations

from .test_heuristic_gap import NOW, instance

FORCED = MatchConfig(exact_max_arcs=0)  # the dive on every component, CP-SAT off


def random_problem(seed: int) -> FlowProblem:
    rng = np.random.default_rng(seed)
    n_s, n_d = int(rng.integers(3, 15)), int(rng.integers(3, 15))
    pairs = np.array([(s, d) for s in range(n_s) for d in range(n_d) if rng.random() < 0.4], dtype=np.int64)
    if len(pairs) == 0:
        pairs = np.array([[0, 0]], dtype=np.int64)
    stock = rng.integers(5, 80, n_s)
    return FlowProblem(
        arc_s=pairs[:, 0], arc_d=pairs[:, 1], gain=rng.integers(1, 1000, len(pairs)),
        supply_cap=stock, demand_cap=rng.integers(5, 60, n_d),
        moq=np.where(rng.random(n_s) < 0.5, rng.integers(2, 20, n_s), 1), split=rng.random(n_d) > 0.4,
    )


def test_the_dive_obeys_every_rule_and_capacity():
    for seed in range(60):
        p = random_problem(seed)
        flows = dive(p, max_flow_min_cost(p), test_budget=20)
        small, bad = violations(p, flows)
        assert len(small) == 0 and len(bad) == 0
        assert (flows >= 0).all()
        assert (np.bincount(p.arc_s, weights=flows, minlength=p.n_supplies) <= p.supply_cap).all()
        assert (np.bincount(p.arc_d, weights=flows, minlength=p.n_demands) <= p.demand_cap).all()


def test_with_the_dive_the_heuristic_gets_closer_to_the_exact_optimum():
    ratios, before = [], []
    for seed in range(40):
        supplies, demands = instance(seed)
        exact = match(supplies, demands, now=NOW)
        repaired = match(supplies, demands, now=NOW, config=MatchConfig(exact_max_arcs=0, dive_tests=0))
        dived = match(supplies, demands, now=NOW, config=FORCED)
        assert dived.matched_quantity >= repaired.matched_quantity  # the better of the two is kept
        assert dived.matched_quantity <= exact.matched_quantity
        if exact.matched_quantity:
            ratios.append(dived.matched_quantity / exact.matched_quantity)
            before.append(repaired.matched_quantity / exact.matched_quantity)
    ratios, before = np.array(ratios), np.array(before)
    print(f"quantity ratio with the dive mean {ratios.mean():.4f} min {ratios.min():.4f}; "
          f"repair alone mean {before.mean():.4f} min {before.min():.4f}")
    assert ratios.mean() > before.mean()
    assert ratios.mean() >= 0.985


def two_listings_one_unsplit_order() -> FlowProblem:
    """Listings 0 and 1 (10 each); order 0 (10, non-split) can take either, order 1 (10) only listing 0."""
    return FlowProblem(
        arc_s=np.array([0, 1, 0]), arc_d=np.array([0, 0, 1]), gain=np.array([900, 100, 500]),
        supply_cap=np.array([10, 10]), demand_cap=np.array([10, 10]),
        moq=np.array([1, 1]), split=np.array([False, True]),
    )


def test_a_non_split_order_is_moved_off_the_listing_the_cut_says_is_short():
    p = two_listings_one_unsplit_order()
    state = _State(p)
    state.apply(("serve", 0))  # order 0 whole from listing 0: order 1 gets nothing
    flows = state.max_flow()
    assert flows.sum() == 10
    flows = _swaps(state, flows, target=20, budget=10)
    assert flows.tolist() == [0, 10, 10]


def test_an_arc_banned_for_its_minimum_is_forced_to_it_when_that_grows_the_flow():
    p = FlowProblem(
        arc_s=np.array([0, 0]), arc_d=np.array([0, 1]), gain=np.array([10, 10]),
        supply_cap=np.array([30]), demand_cap=np.array([10, 20]), moq=np.array([10]), split=np.array([True, True]),
    )
    state = _State(p)
    state.apply(("ban", 1))
    flows = state.max_flow()
    assert flows.sum() == 10
    assert _swaps(state, flows, target=30, budget=10).tolist() == [10, 20]


def test_polish_keeps_the_quantity_and_the_rules_and_does_not_lower_the_score():
    for seed in range(40):
        p = random_problem(seed)
        valid = dive(p, max_flow_min_cost(p), test_budget=20)
        polished = _polish(p, valid)
        small, bad = violations(p, polished)
        assert len(small) == 0 and len(bad) == 0
        assert (np.bincount(p.arc_s, weights=polished, minlength=p.n_supplies) <= p.supply_cap).all()
        assert totals(p, polished) >= totals(p, valid)


def test_the_rounding_serves_two_orders_split_half_and_half_whole_one_per_listing():
    p = FlowProblem(
        arc_s=np.array([0, 1, 0, 1]), arc_d=np.array([0, 0, 1, 1]), gain=np.array([5, 5, 5, 5]),
        supply_cap=np.array([10, 10]), demand_cap=np.array([10, 10]),
        moq=np.array([1, 1]), split=np.array([False, False]),
    )
    state = _State(p)
    assert _round_unsplit(state, np.array([5, 5, 5, 5]))
    assert state.decided.all()
    served = np.flatnonzero(state.base)
    assert sorted(p.arc_s[served].tolist()) == [0, 1]  # one order on each listing
    assert state.base[served].tolist() == [10, 10]


def test_the_rounding_serves_whole_orders_within_stock_and_only_those_the_flow_touched():
    for seed in range(60):
        p = random_problem(seed)
        flows = max_flow_min_cost(p)
        state = _State(p)
        _round_unsplit(state, flows)
        touched = np.bincount(p.arc_d, weights=flows, minlength=p.n_demands) > 0
        assert not (state.decided & (p.split | ~touched)).any()
        served = np.flatnonzero(state.base)
        assert (state.base[served] == p.demand_cap[p.arc_d[served]]).all()
        assert np.bincount(p.arc_d[served], minlength=p.n_demands).max(initial=0) <= 1
        assert (np.bincount(p.arc_s, weights=state.base, minlength=p.n_supplies) <= p.supply_cap).all()
