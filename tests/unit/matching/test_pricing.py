"""Max-flow columns (pricing.py): pruning no longer costs quantity, and the bound they certify holds.

Random split-only marketplaces (no non-split order, every minimum order 1) with
pruning forced by a tiny max_arcs, against the networkx oracle over every pair.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from marketplace.matching import MatchConfig, match, pricing
from tests.unit.matching.strategies import NOW, oracle, supplies_and_demands
from tests.unit.matching.test_repair import as_tea, assert_valid, crowded_market

PRUNED = MatchConfig(max_arcs=3, top_k=1, keep_all_pairs=0)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supplies_and_demands(max_side=12, plain=True))
def test_pruned_split_only_markets_reach_the_all_pairs_optimum(instance):
    supplies, demands = instance
    optimum, _ = oracle(supplies, demands, NOW, PRUNED)
    result = match(supplies, demands, now=NOW, config=PRUNED)
    assert_valid(result, supplies, demands, PRUNED)
    assert result.matched_quantity == optimum
    assert result.bound_quantity >= optimum


def test_the_columns_recover_what_pruning_stranded_and_certify_it():
    supplies, demands = crowded_market(40)
    config = MatchConfig(max_arcs=40, top_k=2, keep_all_pairs=0, repair_rounds=0)
    optimum, _ = oracle(supplies, demands, NOW, config)
    without = match(supplies, demands, now=NOW, config=replace(config, pricing_rounds=0))
    with_columns = match(supplies, demands, now=NOW, config=config)
    assert without.pruned and with_columns.pruned
    assert without.relaxation_quantity < optimum  # the instance does lose to pruning alone
    assert with_columns.relaxation_quantity == optimum
    # No feasible pair crosses the final cut: the bound is the all-pairs maximum itself.
    assert with_columns.bound_quantity == optimum
    assert_valid(with_columns, supplies, demands, config)


def test_forked_pricing_gives_the_serial_answer(monkeypatch):
    rice_s, rice_d = crowded_market(40)
    tea_s, tea_d = as_tea(rice_s, rice_d)
    config = MatchConfig(max_arcs=40, top_k=2, keep_all_pairs=0)
    serial = match(rice_s + tea_s, rice_d + tea_d, now=NOW, config=replace(config, workers=1))
    monkeypatch.setattr(pricing, "PROCESS_MIN_ROWS", 0)  # two pruned blocks, one per forked worker
    forked = match(rice_s + tea_s, rice_d + tea_d, now=NOW, config=replace(config, workers=2))
    assert sorted(serial.pruned_categories) == ["rice", "tea"]
    key = [(a.supply_id, a.demand_id, a.quantity, a.score) for a in serial.allocations]
    assert key == [(a.supply_id, a.demand_id, a.quantity, a.score) for a in forked.allocations]
    assert serial.bound_quantity == forked.bound_quantity
