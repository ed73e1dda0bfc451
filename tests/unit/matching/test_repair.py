"""The repair round after pruning (augment.py): it only ever adds, and never breaks a rule."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace

from hypothesis import HealthCheck, given, settings

from marketplace.matching import Demand, MatchConfig, Supply, match, score_arc
from tests.unit.matching.strategies import NOW, feasible, supplies_and_demands

CAN_THO = (10.03, 105.78)
HCMC = (10.78, 106.70)
HANOI = (21.03, 105.85)
NO_REPAIR = dict(repair_rounds=0)
# Forces pruning on the instances below (keep_all_pairs=0: small ones are otherwise never pruned).
# pricing_rounds=0: the max-flow columns (pricing.py) would leave the repair round nothing to do.
TIGHT = dict(max_arcs=40, top_k=2, keep_all_pairs=0, pricing_rounds=0)


def crowded_market(n: int = 30):
    """A few cheap listings near the buyers are everyone's best arcs; the rest go unseen when pruned."""
    supplies = [
        Supply(
            id=i,
            category="rice",
            unit="kg",
            quantity=10,
            unit_price=30_000 + (1_000 if i > 3 else 0) * i,
            lat=(CAN_THO if i <= 3 else HANOI)[0],
            lon=(CAN_THO if i <= 3 else HANOI)[1],
            stars=[0, 3, 4, 5][i % 4],
            min_order_quantity=1 + (i % 5 == 0) * 3,
        )
        for i in range(1, n + 1)
    ]
    demands = [
        Demand(
            id=100 + j,
            category="rice",
            unit="kg",
            quantity=5 + j % 8,
            max_unit_price=60_000 + 200 * j,
            lat=HCMC[0],
            lon=HCMC[1],
            allow_split=j % 4 != 0,
        )
        for j in range(n)
    ]
    return supplies, demands


def assert_valid(result, supplies, demands, config):
    by_s = {s.id: s for s in supplies}
    by_d = {d.id: d for d in demands}
    given_by, taken_by, sources = defaultdict(int), defaultdict(int), defaultdict(set)
    pairs = set()
    for a in result.allocations:
        s, d = by_s[a.supply_id], by_d[a.demand_id]
        assert (s.id, d.id) not in pairs  # one allocation per pair, even across rounds
        pairs.add((s.id, d.id))
        assert feasible(s, d, NOW, config)
        assert a.quantity >= max(1, s.min_order_quantity)
        assert a.score == score_arc(s, d, now=NOW, config=config)
        given_by[s.id] += a.quantity
        taken_by[d.id] += a.quantity
        sources[d.id].add(s.id)
    assert all(q <= by_s[sid].quantity for sid, q in given_by.items())
    for did, q in taken_by.items():
        assert q <= by_d[did].quantity
        if not by_d[did].allow_split:
            assert len(sources[did]) == 1 and q == by_d[did].quantity
    assert result.matched_quantity == sum(a.quantity for a in result.allocations)
    assert result.matched_quantity <= result.relaxation_quantity


def test_the_repair_round_recovers_what_pruning_stranded():
    supplies, demands = crowded_market()
    full = match(supplies, demands, now=NOW, config=MatchConfig(max_arcs=10**6))
    bare = match(supplies, demands, now=NOW, config=MatchConfig(**TIGHT, **NO_REPAIR))
    config = MatchConfig(**TIGHT)
    repaired = match(supplies, demands, now=NOW, config=config)
    assert not full.pruned and bare.pruned and repaired.pruned
    assert bare.matched_quantity < full.matched_quantity  # the instance does lose to pruning
    assert repaired.repair_rounds >= 1 and repaired.repair_arcs > 0 and repaired.repair_quantity > 0
    assert bare.matched_quantity < repaired.matched_quantity <= full.matched_quantity
    assert repaired.arcs == bare.arcs + repaired.repair_arcs
    assert_valid(repaired, supplies, demands, config)


def test_resolving_the_union_is_never_worse_than_the_rounds_alone():
    supplies, demands = crowded_market(40)
    rounds_only = match(supplies, demands, now=NOW, config=MatchConfig(**TIGHT, repair_resolve_max_arcs=0))
    config = MatchConfig(**TIGHT, repair_resolve_max_arcs=10**6)
    resolved = match(supplies, demands, now=NOW, config=config)
    assert resolved.matched_quantity >= rounds_only.matched_quantity
    if resolved.matched_quantity == rounds_only.matched_quantity:
        assert resolved.total_score >= rounds_only.total_score - 1e-6 * resolved.matched_quantity
    assert_valid(resolved, supplies, demands, config)


def test_without_pruning_the_repair_round_changes_nothing():
    supplies, demands = crowded_market()
    config = MatchConfig(max_arcs=10**6)
    with_repair = match(supplies, demands, now=NOW, config=config)
    without = match(supplies, demands, now=NOW, config=MatchConfig(max_arcs=10**6, **NO_REPAIR))
    assert not with_repair.pruned and with_repair.repair_rounds == 0 and with_repair.repair_arcs == 0
    key = [(a.supply_id, a.demand_id, a.quantity, a.score) for a in with_repair.allocations]
    assert key == [(a.supply_id, a.demand_id, a.quantity, a.score) for a in without.allocations]
    assert with_repair.arcs == without.arcs


def test_repaired_results_are_deterministic_whatever_the_input_order():
    supplies, demands = crowded_market()
    config = MatchConfig(**TIGHT)
    first = match(supplies, demands, now=NOW, config=config)
    shuffled_s, shuffled_d = list(supplies), list(demands)
    random.Random(3).shuffle(shuffled_s)
    random.Random(4).shuffle(shuffled_d)
    second = match(shuffled_s, shuffled_d, now=NOW, config=config)
    key = [(a.supply_id, a.demand_id, a.quantity, a.score) for a in first.allocations]
    assert key == [(a.supply_id, a.demand_id, a.quantity, a.score) for a in second.allocations]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(supplies_and_demands(max_side=8))
def test_under_heavy_pruning_the_repair_round_only_adds_and_breaks_no_rule(instance):
    supplies, demands = instance
    config = MatchConfig(max_arcs=3, top_k=1, repair_top_k=1, keep_all_pairs=0)
    repaired = match(supplies, demands, now=NOW, config=config)
    bare = match(supplies, demands, now=NOW, config=MatchConfig(max_arcs=3, top_k=1, keep_all_pairs=0, **NO_REPAIR))
    assert_valid(repaired, supplies, demands, config)
    assert repaired.pruned == bare.pruned
    assert repaired.matched_quantity >= bare.matched_quantity
    if repaired.matched_quantity == bare.matched_quantity:
        assert repaired.total_score >= bare.total_score - 1e-6 * max(bare.matched_quantity, 1)


def as_tea(supplies, demands):
    """The same market in another category: a second block, with ids of its own."""
    return ([replace(s, id=s.id + 10_000, category="tea") for s in supplies],
            [replace(d, id=d.id + 10_000, category="tea") for d in demands])


def test_keep_all_pairs_spares_a_block_whatever_else_is_in_the_call():
    rice_s, rice_d = crowded_market()
    tea_s, tea_d = as_tea(*crowded_market(60))
    full = match(rice_s, rice_d, now=NOW, config=MatchConfig(max_arcs=10**6))
    # rice has 900 pairs to visit, the tea block 3,600: only tea is over the limit.
    config = MatchConfig(max_arcs=40, top_k=2, keep_all_pairs=1_000)
    alone = match(rice_s, rice_d, now=NOW, config=config)
    beside = match(rice_s + tea_s, rice_d + tea_d, now=NOW, config=config)
    assert not alone.pruned and alone.arcs == full.arcs
    assert beside.pruned_categories == ["tea"] and beside.arcs_by_category["rice"] == full.arcs
    assert alone.matched_quantity == full.matched_quantity
    rice_in_beside = sum(a.quantity for a in beside.allocations if a.supply_id < 10_000)
    assert rice_in_beside == alone.matched_quantity


def test_repair_settings_are_validated():
    for bad in (dict(repair_rounds=-1), dict(repair_max_arcs=0), dict(repair_top_k=0), dict(keep_all_pairs=-1)):
        try:
            MatchConfig(**bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")


def test_the_repair_round_gives_the_same_answer_with_threads_and_the_process_pool():
    supplies, demands = crowded_market(60)
    serial = match(supplies, demands, now=NOW, config=MatchConfig(**TIGHT, workers=1))
    pooled = match(supplies, demands, now=NOW, config=MatchConfig(**TIGHT, workers=2, parallel_min_arcs=1))
    assert serial.pruned and serial.repair_rounds >= 1
    key = [(a.supply_id, a.demand_id, a.quantity, a.score) for a in serial.allocations]
    assert key == [(a.supply_id, a.demand_id, a.quantity, a.score) for a in pooled.allocations]
