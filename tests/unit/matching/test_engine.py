"""match() on hand-made marketplaces: the objective, the two integral rules, pruning, output shape."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from marketplace.matching import Demand, MatchConfig, Supply, match

NOW = date(2025, 6, 1)
HCMC = (10.78, 106.70)
CAN_THO = (10.03, 105.78)
HANOI = (21.03, 105.85)


def listing(id, quantity, price=40_000, where=CAN_THO, **kw):
    return Supply(id=id, category="rice", unit="kg", quantity=quantity, unit_price=price,
                  lat=where[0], lon=where[1], **kw)


def order(id, quantity, max_price=50_000, where=HCMC, **kw):
    return Demand(id=id, category="rice", unit="kg", quantity=quantity, max_unit_price=max_price,
                  lat=where[0], lon=where[1], **kw)


def allocated(result):
    return {(a.supply_id, a.demand_id): a.quantity for a in result.allocations}


def test_quantity_comes_before_score():
    # The cheap listing could fill order 10 with a great score, but then order 11
    # (which only the cheap one can serve) would get nothing.
    supplies = [listing(1, 50, price=30_000), listing(2, 50, price=45_000)]
    demands = [order(10, 50), order(11, 50, max_price=35_000)]
    result = match(supplies, demands, now=NOW)
    assert allocated(result) == {(1, 11): 50, (2, 10): 50}
    assert result.matched_quantity == 100


def test_among_equal_quantities_the_better_scores_win():
    supplies = [listing(1, 50, where=HANOI), listing(2, 50, where=CAN_THO)]
    result = match(supplies, [order(10, 50)], now=NOW)
    assert allocated(result) == {(2, 10): 50}


def test_a_split_order_takes_from_several_listings():
    result = match([listing(1, 30), listing(2, 30)], [order(10, 50)], now=NOW)
    assert result.matched_quantity == 50
    assert len(result.allocations) == 2


def test_an_unsplit_order_is_filled_whole_by_one_listing_or_not_at_all():
    result = match([listing(1, 30), listing(2, 30)], [order(10, 50, allow_split=False)], now=NOW)
    assert result.allocations == []
    assert result.unmatched_demand_ids == [10]
    result = match([listing(1, 30), listing(2, 60)], [order(10, 50, allow_split=False)], now=NOW)
    assert allocated(result) == {(2, 10): 50}


def test_unsplit_orders_compete_for_big_listings_without_breaking_the_rule():
    supplies = [listing(1, 60), listing(2, 40)]
    demands = [order(10, 50, allow_split=False), order(11, 40, allow_split=False), order(12, 20)]
    result = match(supplies, demands, now=NOW)
    assert allocated(result) == {(1, 10): 50, (2, 11): 40, (1, 12): 10}
    assert result.proven_optimal


def test_no_allocation_is_below_the_listing_minimum_order():
    # Flow alone would give 30 + 20; the minimum of 25 forbids the 20, and 25 + 25 is best.
    supplies = [listing(1, 50, min_order_quantity=25)]
    demands = [order(10, 30), order(11, 30, where=HANOI)]
    result = match(supplies, demands, now=NOW)
    assert sorted(allocated(result).values()) == [25, 25]
    assert result.proven_optimal
    assert result.components and result.components[0].method == "exact"


@pytest.mark.parametrize("exact_max_arcs", [0, 10_000])
def test_the_heuristic_and_the_exact_method_both_respect_the_rules(exact_max_arcs):
    supplies = [listing(i, 20 + 7 * i, min_order_quantity=1 + (i % 3) * 5) for i in range(1, 9)]
    demands = [order(100 + j, 10 + 9 * j, allow_split=j % 2 == 0) for j in range(8)]
    result = match(supplies, demands, now=NOW, config=MatchConfig(exact_max_arcs=exact_max_arcs))
    by_s = {s.id: s for s in supplies}
    by_d = {d.id: d for d in demands}
    for a in result.allocations:
        assert a.quantity >= by_s[a.supply_id].min_order_quantity
        if not by_d[a.demand_id].allow_split:
            assert a.quantity == by_d[a.demand_id].quantity
    if exact_max_arcs == 0:
        assert {c.method for c in result.components} == {"heuristic"}
        assert not result.proven_optimal


def test_pruning_keeps_each_sides_best_arcs_and_says_so():
    supplies = [listing(i, 10, price=30_000 + 100 * i) for i in range(1, 21)]
    demands = [order(100 + j, 10) for j in range(20)]
    full = match(supplies, demands, now=NOW)
    assert not full.pruned and full.arcs == 400
    # keep_all_pairs=0: a marketplace this small is never pruned otherwise.
    pruned = match(supplies, demands, now=NOW, config=MatchConfig(max_arcs=100, top_k=3, keep_all_pairs=0))
    assert pruned.pruned
    assert pruned.arcs < 400
    assert pruned.matched_quantity <= full.matched_quantity


def test_result_reports_totals_timings_and_breakdowns():
    result = match([listing(1, 50)], [order(10, 20), order(11, 40)], now=NOW)
    assert result.matched_quantity == 50
    assert result.total_score == pytest.approx(sum(a.quantity * a.score for a in result.allocations))
    assert {"candidates", "solve", "allocations"} <= set(result.timings)
    for a in result.allocations:
        assert a.breakdown.score == a.score
        assert a.breakdown.distance_km > 100
        assert a.unit_price == 40_000


def test_orders_and_listings_outside_the_rules_are_left_alone():
    supplies = [listing(1, 50, available_until=NOW - timedelta(days=1)), replace(listing(2, 50), unit="tonne")]
    demands = [order(10, 20), order(11, 40, needed_by=NOW - timedelta(days=1))]
    result = match(supplies, demands, now=NOW)
    assert result.allocations == [] and result.arcs == 0
    assert result.unmatched_demand_ids == [10, 11]


def test_empty_inputs():
    result = match([], [], now=NOW)
    assert result.allocations == [] and result.matched_quantity == 0 and not result.pruned


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError):
        match([listing(1, 5), listing(1, 6)], [order(2, 3)], now=NOW)


def test_the_process_pool_gives_the_same_answer_as_one_process():
    supplies = [replace(listing(i, 5 + i % 7, price=30_000 + 37 * i), category=f"c{i % 4}") for i in range(400)]
    demands = [replace(order(1000 + j, 4 + j % 9, max_price=41_000 + 11 * j), category=f"c{j % 4}")
               for j in range(400)]
    serial = match(supplies, demands, now=NOW, config=MatchConfig(workers=1))
    pooled = match(supplies, demands, now=NOW, config=MatchConfig(workers=2, parallel_min_arcs=1))
    assert allocated(serial) == allocated(pooled)
