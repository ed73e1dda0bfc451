"""MatchResult's bound is over every feasible pair, not the kept arcs: forced pruning
(a tiny max_arcs) on random marketplaces, against the all-pairs networkx oracle."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from marketplace.matching import MatchConfig, match
from tests.unit.matching.strategies import NOW, oracle, supplies_and_demands

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PRUNED = MatchConfig(max_arcs=2, top_k=1, keep_all_pairs=0)


@FAST
@given(supplies_and_demands(max_side=9))
def test_the_bound_is_never_below_the_all_pairs_optimum_even_when_pruned(instance):
    supplies, demands = instance
    optimum, best_score = oracle(supplies, demands, NOW, PRUNED)
    for config in (PRUNED, MatchConfig()):
        result = match(supplies, demands, now=NOW, config=config)
        assert result.matched_quantity <= result.bound_quantity
        assert result.bound_quantity >= optimum
        # In the objective's order: reaching the bound's quantity, nobody scores more than its score.
        if result.bound_quantity == optimum:
            assert result.bound_score >= best_score - 1e-6 * optimum
        assert 0.0 <= result.gap <= 1.0
        assert sum(result.bound_by_category.values()) == result.bound_quantity


@FAST
@given(supplies_and_demands(max_side=9, plain=True))
def test_without_pruning_the_bound_is_the_optimum_itself(instance):
    """Split-only, minimum order 1: nothing pruned, the relaxation is the answer and the bound."""
    supplies, demands = instance
    optimum, _ = oracle(supplies, demands, NOW, MatchConfig())
    result = match(supplies, demands, now=NOW)
    assert not result.pruned
    assert result.bound_quantity == result.matched_quantity == optimum
