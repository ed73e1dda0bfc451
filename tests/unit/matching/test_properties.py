"""Property tests on random small marketplaces, against an independent oracle."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np
from hypothesis import HealthCheck, given, settings
from scipy.optimize import Bounds, LinearConstraint, milp

from marketplace.matching import MatchConfig, match, score_arc
from tests.unit.matching.strategies import NOW, feasible, oracle, supplies_and_demands

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def allocations_key(result):
    return [(a.supply_id, a.demand_id, a.quantity, a.score) for a in result.allocations]


@FAST
@given(supplies_and_demands())
def test_every_allocation_obeys_every_rule(instance):
    supplies, demands = instance
    config = MatchConfig()
    result = match(supplies, demands, now=NOW, config=config)
    by_id_s = {s.id: s for s in supplies}
    by_id_d = {d.id: d for d in demands}
    given_by = defaultdict(int)
    taken_by = defaultdict(int)
    sources = defaultdict(set)
    for a in result.allocations:
        s, d = by_id_s[a.supply_id], by_id_d[a.demand_id]
        assert feasible(s, d, NOW, config)
        assert a.quantity >= s.min_order_quantity
        assert a.quantity > 0
        assert a.unit_price == s.unit_price
        assert a.score == score_arc(s, d, now=NOW, config=config)
        given_by[s.id] += a.quantity
        taken_by[d.id] += a.quantity
        sources[d.id].add(s.id)
    for sid, q in given_by.items():
        assert q <= by_id_s[sid].quantity
    for did, q in taken_by.items():
        assert q <= by_id_d[did].quantity
        if not by_id_d[did].allow_split:
            assert len(sources[did]) == 1 and q == by_id_d[did].quantity
    assert result.matched_quantity == sum(a.quantity for a in result.allocations)
    assert result.matched_quantity <= result.relaxation_quantity


@FAST
@given(supplies_and_demands())
def test_same_input_in_any_order_gives_the_same_output(instance):
    supplies, demands = instance
    first = match(supplies, demands, now=NOW)
    shuffled_s, shuffled_d = list(supplies), list(demands)
    random.Random(7).shuffle(shuffled_s)
    random.Random(8).shuffle(shuffled_d)
    second = match(shuffled_s, shuffled_d, now=NOW)
    assert allocations_key(first) == allocations_key(second)
    assert first.total_score == second.total_score


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supplies_and_demands(max_side=8, plain=True))
def test_plain_instances_reach_the_max_flow_and_the_best_score_among_max_flows(instance):
    supplies, demands = instance
    result = match(supplies, demands, now=NOW)
    assert not result.pruned
    quantity, best_total = oracle(supplies, demands)
    assert result.matched_quantity == quantity
    # Integer costs round each score to 1e-6 (flow.py): the totals agree to quantity * 1e-6.
    assert abs(result.total_score - best_total) <= 1e-6 * max(quantity, 1) + 1e-9
    assert result.proven_optimal


@settings(max_examples=25, deadline=None)
@given(supplies_and_demands(max_side=8, plain=True))
def test_a_distance_limit_is_part_of_the_oracle_too(instance):
    supplies, demands = instance
    config = MatchConfig(max_distance_km=300)
    result = match(supplies, demands, now=NOW, config=config)
    quantity, best_total = oracle(supplies, demands, config=config)
    assert result.matched_quantity == quantity
    assert abs(result.total_score - best_total) <= 1e-6 * max(quantity, 1) + 1e-9


def milp_max_quantity(supplies, demands, config=MatchConfig()) -> int:
    """Largest quantity under the non-split and minimum-order rules, by HiGHS (an independent MIP)."""
    arcs = [(i, j) for i, s in enumerate(supplies) for j, d in enumerate(demands) if feasible(s, d, NOW, config)]
    if not arcs:
        return 0
    n = len(arcs)
    # Variables: x (quantity per arc) then y (arc used).
    rows, lo, hi = [], [], []

    def row(coefs, low, high):
        r = np.zeros(2 * n)
        for k, v in coefs:
            r[k] += v
        rows.append(r)
        lo.append(low)
        hi.append(high)

    for i, s in enumerate(supplies):
        row([(k, 1) for k, (a, _) in enumerate(arcs) if a == i], -np.inf, s.quantity)
    for j, d in enumerate(demands):
        row([(k, 1) for k, (_, b) in enumerate(arcs) if b == j], -np.inf, d.quantity)
        if not d.allow_split:
            row([(n + k, 1) for k, (_, b) in enumerate(arcs) if b == j], -np.inf, 1)
    for k, (i, j) in enumerate(arcs):
        s, d = supplies[i], demands[j]
        cap = min(s.quantity, d.quantity)
        least = d.quantity if not d.allow_split else s.min_order_quantity
        row([(k, 1), (n + k, -cap)], -np.inf, 0)  # x <= cap * y
        row([(k, 1), (n + k, -least)], 0, np.inf)  # x >= least * y
        if not d.allow_split:
            row([(k, 1), (n + k, -d.quantity)], 0, 0)
    result = milp(
        np.r_[-np.ones(n), np.zeros(n)],
        constraints=LinearConstraint(np.array(rows), lo, hi),
        integrality=np.ones(2 * n),
        bounds=Bounds(0, np.r_[[min(supplies[i].quantity, demands[j].quantity) for i, j in arcs], np.ones(n)]),
    )
    return int(round(-result.fun))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supplies_and_demands(max_side=6))
def test_exactly_solved_instances_reach_the_mip_optimum_under_non_split_and_minimum_order(instance):
    supplies, demands = instance
    result = match(supplies, demands, now=NOW)
    assert result.proven_optimal  # small components always go to CP-SAT
    assert result.matched_quantity == milp_max_quantity(supplies, demands)
