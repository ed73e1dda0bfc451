"""Excluded (listing, order) pairs: declined, rejected or already matched pairs never get an arc.

Everything else must behave as before: an empty exclusion gives the very same
result, and every rule the other property tests check still holds.
"""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.matching import MatchConfig, explain_unmatched, match, solver
from marketplace.matching import arcs as arcs_module
from tests.unit.matching.strategies import NOW, feasible, oracle, supplies_and_demands
from tests.unit.matching.test_engine import HANOI, allocated, listing, order
from tests.unit.matching.test_explain import ORDER
from tests.unit.matching.test_explain import listing as explain_listing
from tests.unit.matching.test_parallel import _comparable, _counting, market
from tests.unit.matching.test_repair import NO_REPAIR, TIGHT, assert_valid, crowded_market

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEAVY_PRUNING = dict(max_arcs=3, top_k=1, repair_top_k=1, keep_all_pairs=0)


@st.composite
def with_excluded_pairs(draw, max_side=7, plain=False):
    """An instance, some of its (listing, order) pairs, and a few ids it does not have."""
    supplies, demands = draw(supplies_and_demands(max_side=max_side, plain=plain))
    pairs = [(s.id, d.id) for s in supplies for d in demands]
    excluded = set(draw(st.sets(st.sampled_from(pairs)))) if pairs else set()
    stray = st.tuples(st.integers(0, 1_000), st.integers(0, 1_000))
    excluded |= draw(st.sets(stray, max_size=3))
    return supplies, demands, excluded


def uses_no_excluded_pair(result, excluded) -> bool:
    return not {(a.supply_id, a.demand_id) for a in result.allocations} & set(excluded)


def test_an_excluded_pair_is_not_matched_and_the_order_takes_the_other_listing():
    supplies = [listing(1, 50, price=30_000), listing(2, 50, price=45_000, where=HANOI)]
    demands = [order(10, 50)]
    assert allocated(match(supplies, demands, now=NOW)) == {(1, 10): 50}
    result = match(supplies, demands, now=NOW, excluded_pairs=[(1, 10)])
    assert allocated(result) == {(2, 10): 50}
    assert result.arcs == 1


def test_an_excluded_listing_still_serves_the_other_orders():
    supplies = [listing(1, 50, price=30_000), listing(2, 50, price=45_000)]
    # At 60,000 both listings earn order 11 the full price part; at 50,000 only listing 1 does.
    demands = [order(10, 50), order(11, 50, max_price=60_000)]
    assert allocated(match(supplies, demands, now=NOW)) == {(1, 10): 50, (2, 11): 50}
    result = match(supplies, demands, now=NOW, excluded_pairs={(1, 10)})
    assert allocated(result) == {(1, 11): 50, (2, 10): 50}


def test_excluded_pairs_on_a_non_split_order():
    supplies = [listing(1, 60, price=30_000), listing(2, 60, price=45_000), listing(3, 30, price=20_000)]
    demands = [order(10, 50, allow_split=False)]
    assert allocated(match(supplies, demands, now=NOW)) == {(1, 10): 50}
    result = match(supplies, demands, now=NOW, excluded_pairs={(1, 10)})
    assert allocated(result) == {(2, 10): 50}
    # Listing 3 alone cannot fill the order, and it may not be split: nothing is left.
    result = match(supplies, demands, now=NOW, excluded_pairs={(1, 10), (2, 10)})
    assert result.allocations == [] and result.unmatched_demand_ids == [10]


def test_ids_not_in_the_input_are_ignored():
    supplies = [listing(1, 30), listing(2, 30)]
    demands = [order(10, 50), order(11, 5, allow_split=False)]
    plain = match(supplies, demands, now=NOW)
    stray = match(supplies, demands, now=NOW, excluded_pairs=[(999, 10), (1, 999), (10, 1), (-5, -7)])
    assert _comparable(stray) == _comparable(plain)


@FAST
@given(supplies_and_demands())
def test_an_empty_exclusion_gives_the_same_result_as_none(instance):
    supplies, demands = instance
    for config in (MatchConfig(), MatchConfig(**HEAVY_PRUNING)):
        plain = match(supplies, demands, now=NOW, config=config)
        for empty in ((), [], set(), frozenset()):
            assert _comparable(match(supplies, demands, now=NOW, config=config, excluded_pairs=empty)) == _comparable(
                plain
            )


def test_an_empty_exclusion_gives_the_same_result_after_pruning_and_repair():
    supplies, demands = crowded_market(40)
    config = MatchConfig(**TIGHT)
    plain = match(supplies, demands, now=NOW, config=config)
    empty = match(supplies, demands, now=NOW, config=config, excluded_pairs=())
    assert plain.pruned and plain.repair_arcs > 0
    assert _comparable(empty) == _comparable(plain)


@FAST
@given(with_excluded_pairs())
def test_no_allocation_uses_an_excluded_pair_and_every_rule_still_holds(instance):
    supplies, demands, excluded = instance
    config = MatchConfig()
    result = match(supplies, demands, now=NOW, config=config, excluded_pairs=excluded)
    assert uses_no_excluded_pair(result, excluded)
    assert_valid(result, supplies, demands, config)
    served = {a.demand_id for a in result.allocations}
    assert result.unmatched_demand_ids == sorted(d.id for d in demands if d.id not in served)
    # Not pruned at this size: the arcs are exactly the feasible pairs not excluded.
    assert not result.pruned
    arcs = sum(feasible(s, d, NOW, config) and (s.id, d.id) not in excluded for s in supplies for d in demands)
    assert result.arcs == arcs
    # The input order still does not matter.
    shuffled_s, shuffled_d, pairs = list(supplies), list(demands), list(excluded)
    for items, seed in ((shuffled_s, 1), (shuffled_d, 2), (pairs, 3)):
        random.Random(seed).shuffle(items)
    again = match(shuffled_s, shuffled_d, now=NOW, config=config, excluded_pairs=pairs)
    assert _comparable(again) == _comparable(result)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_excluded_pairs(max_side=8, plain=True))
def test_plain_instances_with_exclusions_reach_the_oracle_on_the_allowed_pairs(instance):
    supplies, demands, excluded = instance
    result = match(supplies, demands, now=NOW, excluded_pairs=excluded)
    quantity, best_total = oracle(supplies, demands, excluded=excluded)
    assert result.matched_quantity == quantity
    assert abs(result.total_score - best_total) <= 1e-6 * max(quantity, 1) + 1e-9
    assert result.proven_optimal


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(with_excluded_pairs(max_side=8))
def test_under_heavy_pruning_no_round_uses_an_excluded_pair(instance):
    supplies, demands, excluded = instance
    config = MatchConfig(**HEAVY_PRUNING)
    repaired = match(supplies, demands, now=NOW, config=config, excluded_pairs=excluded)
    bare = match(supplies, demands, now=NOW, config=MatchConfig(**HEAVY_PRUNING, **NO_REPAIR), excluded_pairs=excluded)
    for result in (repaired, bare):
        assert uses_no_excluded_pair(result, excluded)
        assert_valid(result, supplies, demands, config)
    assert repaired.matched_quantity >= bare.matched_quantity


def test_excluding_the_pruned_runs_pairs_leaves_every_round_to_the_others():
    supplies, demands = crowded_market(40)
    config = MatchConfig(**TIGHT)
    first = match(supplies, demands, now=NOW, config=config)
    assert first.pruned and first.repair_arcs > 0
    excluded = {(a.supply_id, a.demand_id) for a in first.allocations}
    second = match(supplies, demands, now=NOW, config=config, excluded_pairs=excluded)
    assert second.matched_quantity > 0 and uses_no_excluded_pair(second, excluded)
    assert_valid(second, supplies, demands, config)


def test_forked_generation_and_solving_honour_the_exclusions(monkeypatch):
    supplies, demands = market()
    config = dict(TIGHT, parallel_min_arcs=0)
    monkeypatch.setattr(solver, "BATCH_ARCS", 1)  # one batch per block, in both runs
    first = match(supplies, demands, now=NOW, config=MatchConfig(**config, workers=1))
    # Pairs of both the first pass and the repair round, and in every block.
    excluded = {(a.supply_id, a.demand_id) for a in first.allocations[::2]}
    serial = match(supplies, demands, now=NOW, config=MatchConfig(**config, workers=1), excluded_pairs=excluded)

    counts = {}
    _counting(monkeypatch, arcs_module, counts, "candidates")
    monkeypatch.setattr(arcs_module, "PROCESS_MIN_ROWS", 0)
    forked = match(supplies, demands, now=NOW, config=MatchConfig(**config, workers=2), excluded_pairs=excluded)

    assert serial.pruned and serial.repair_arcs > 0
    assert counts["candidates"] == 2  # first pass and repair round, both in forked workers
    assert _comparable(forked) == _comparable(serial)
    assert uses_no_excluded_pair(forked, excluded)
    assert_valid(forked, supplies, demands, MatchConfig(**config))


def test_forked_candidates_have_no_excluded_arc_and_equal_the_in_process_ones(monkeypatch):
    from marketplace.matching.columns import build_columns
    from marketplace.matching.scoring import demand_term, supply_term

    supplies, demands = market(60)
    config = MatchConfig(**TIGHT, workers=2)
    plain_cols = build_columns(supplies, demands, NOW)
    terms = supply_term(plain_cols, config), demand_term(plain_cols, config)
    plain = arcs_module.generate_candidates(plain_cols, config, *terms)
    s_ids, d_ids = plain_cols.supplies.ids, plain_cols.demands.ids
    excluded = set(zip(s_ids[plain.supply[::3]].tolist(), d_ids[plain.demand[::3]].tolist(), strict=True))
    cols = build_columns(supplies, demands, NOW, excluded_pairs=excluded)
    in_process = arcs_module.generate_candidates(cols, config, *terms)
    counts = {}
    _counting(monkeypatch, arcs_module, counts, "candidates")
    monkeypatch.setattr(arcs_module, "PROCESS_MIN_ROWS", 0)
    forked = arcs_module.generate_candidates(cols, config, *terms)
    assert counts["candidates"] == 1
    for name in ("supply", "demand", "score", "block"):
        assert (getattr(forked, name) == getattr(in_process, name)).all()
    assert forked.pruned_blocks == in_process.pruned_blocks and forked.pruned
    got = set(zip(s_ids[forked.supply].tolist(), d_ids[forked.demand].tolist(), strict=True))
    assert len(got) == len(forked.supply) > 0 and not got & excluded


def test_explanation_reports_listings_declined_before():
    supplies = [explain_listing(1, 45_000), explain_listing(2, 45_000, stars=3), explain_listing(3, 45_000)]
    excluded = {(1, ORDER.id), (2, ORDER.id), (3, ORDER.id + 1), (99, ORDER.id)}
    e = explain_unmatched(ORDER, supplies, now=NOW, excluded_pairs=excluded)
    reasons = {r.code: r for r in e.reasons}
    assert (reasons["declined_before"].listings, reasons["declined_before"].only_reason) == (2, 1)
    assert reasons["stars"].listings == 1
    assert e.feasible_listings == 1 and e.feasible_quantity == 100  # only listing 3
    assert "declined_before" not in {r.code for r in explain_unmatched(ORDER, supplies, now=NOW).reasons}


def test_explanation_of_an_order_whose_only_listing_was_declined():
    supplies = [explain_listing(1, 45_000)]
    e = explain_unmatched(ORDER, supplies, now=NOW, excluded_pairs=[(1, ORDER.id)])
    assert e.feasible_listings == 0
    assert [(r.code, r.listings, r.only_reason) for r in e.reasons] == [("declined_before", 1, 1)]
    unit_elsewhere = explain_unmatched(
        ORDER, [replace(supplies[0], unit="box")], now=NOW, excluded_pairs=[(1, ORDER.id)]
    )
    assert [r.code for r in unit_elsewhere.reasons] == ["category_unit"]  # another unit says enough
