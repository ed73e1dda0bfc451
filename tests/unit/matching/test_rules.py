"""One test per feasibility rule, and the shape of score_arc."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from marketplace.matching import Demand, MatchConfig, Supply, score_arc, score_breakdown

NOW = date(2025, 6, 1)
CAN_THO = (10.03, 105.78)
HCMC = (10.78, 106.70)
HANOI = (21.03, 105.85)

LISTING = Supply(
    id=1, category="rice", unit="kg", quantity=100, unit_price=40_000, lat=CAN_THO[0], lon=CAN_THO[1],
    stars=4, certifications=frozenset({"VietGAP"}),
)
ORDER = Demand(
    id=2, category="rice", unit="kg", quantity=50, max_unit_price=50_000, lat=HCMC[0], lon=HCMC[1],
    needed_by=NOW + timedelta(days=10), min_stars=3, required_certifications=frozenset({"VietGAP"}),
)


def score(supply=LISTING, demand=ORDER, config=None):
    return score_arc(supply, demand, now=NOW, config=config)


def test_the_reference_pair_is_feasible_and_scored_in_the_unit_interval():
    value = score()
    assert value is not None and 0 < value <= 1


@pytest.mark.parametrize(
    "supply, demand",
    [
        (replace(LISTING, category="tea"), ORDER),
        (replace(LISTING, unit="tonne"), ORDER),
        (replace(LISTING, unit_price=50_001), ORDER),
        (replace(LISTING, stars=0), ORDER),
        (replace(LISTING, certifications=frozenset({"HACCP"})), ORDER),
        (replace(LISTING, available_from=NOW + timedelta(days=11)), ORDER),
        (replace(LISTING, available_until=NOW - timedelta(days=1)), ORDER),
        (LISTING, replace(ORDER, needed_by=NOW - timedelta(days=1))),
        (replace(LISTING, min_order_quantity=51), ORDER),
        (replace(LISTING, quantity=49), replace(ORDER, allow_split=False)),
    ],
    ids=[
        "category", "unit", "price", "stars", "certification", "available-after-needed",
        "listing-expired", "order-overdue", "min-order-above-quantity", "unsplit-needs-whole-stock",
    ],
)
def test_each_rule_makes_a_pair_infeasible(supply, demand):
    assert score(supply, demand) is None


@pytest.mark.parametrize(
    "supply, demand",
    [
        (replace(LISTING, unit_price=50_000), ORDER),  # price equal to the maximum
        (replace(LISTING, stars=3), ORDER),  # exactly the stars required
        (replace(LISTING, available_from=NOW + timedelta(days=10)), ORDER),  # ready on the day
        (replace(LISTING, available_until=NOW), ORDER),  # last day today
        (LISTING, replace(ORDER, needed_by=NOW)),  # needed today
        (replace(LISTING, min_order_quantity=50), ORDER),  # minimum equal to the quantity
        (replace(LISTING, quantity=50), replace(ORDER, allow_split=False)),  # stock exactly the order
        (replace(LISTING, quantity=10), ORDER),  # a split order may take part of its quantity
        (replace(LISTING, available_from=NOW + timedelta(days=99)), replace(ORDER, needed_by=None)),
        (replace(LISTING, certifications=frozenset({"VietGAP", "HACCP"})), ORDER),
    ],
    ids=[
        "price-equal", "stars-equal", "ready-on-deadline", "until-today", "needed-today", "moq-equal",
        "unsplit-exact-stock", "split-partial-stock", "no-deadline", "extra-certifications",
    ],
)
def test_boundaries_are_feasible(supply, demand):
    assert score(supply, demand) is not None


def test_distance_limit_is_optional_and_inclusive():
    far_order = replace(ORDER, lat=HANOI[0], lon=HANOI[1])
    assert score(LISTING, far_order) is not None
    assert score(LISTING, far_order, MatchConfig(max_distance_km=1000)) is None
    assert score(LISTING, ORDER, MatchConfig(max_distance_km=1000)) is not None


@pytest.mark.parametrize(
    "better, worse",
    [
        (replace(LISTING, unit_price=38_000), LISTING),
        (replace(LISTING, lat=HCMC[0], lon=HCMC[1]), LISTING),
        (replace(LISTING, stars=5), LISTING),
        (LISTING, replace(LISTING, available_from=NOW + timedelta(days=5))),
    ],
    ids=["cheaper", "closer", "more-stars", "ready-earlier"],
)
def test_score_rewards_price_distance_stars_and_availability(better, worse):
    assert score(better) > score(worse)


def test_weights_live_in_the_config():
    only_price = MatchConfig(weight_price=1, weight_distance=0, weight_stars=0, weight_availability=0)
    far = replace(LISTING, lat=HANOI[0], lon=HANOI[1])
    assert score(far, ORDER, only_price) == score(LISTING, ORDER, only_price)
    assert score(far, ORDER) < score(LISTING, ORDER)


def test_the_worst_feasible_pair_still_scores_above_zero():
    worst = replace(LISTING, unit_price=50_000, stars=3, lat=HANOI[0], lon=HANOI[1],
                    available_from=NOW + timedelta(days=10))
    value = score(worst, replace(ORDER, lat=CAN_THO[0] - 1.5, lon=CAN_THO[1]))
    assert value is not None and value >= MatchConfig().min_score > 0


def test_breakdown_has_the_plain_values_a_page_shows():
    ready = replace(LISTING, unit_price=44_000, available_from=NOW + timedelta(days=5))
    b = score_breakdown(ready, ORDER, now=NOW)
    assert b.price_saving_pct == pytest.approx(12.0)
    assert 120 < b.distance_km < 140  # Can Tho to Ho Chi Minh City, great circle
    assert (b.stars, b.min_stars) == (4, 3)
    assert b.ready_in_days == 5 and b.days_of_slack == 5
    assert b.score == score(ready)
    assert set(b.to_dict()) >= {"price_saving_pct", "distance_km", "stars", "days_of_slack"}


def test_invalid_weights_are_refused():
    with pytest.raises(ValueError):
        MatchConfig(weight_price=0, weight_distance=0, weight_stars=0, weight_availability=0, weight_reliability=0)
    with pytest.raises(ValueError):
        MatchConfig(weight_price=-1)


def test_all_else_equal_the_more_reliable_producer_gets_the_order():
    from marketplace.matching import Demand, Supply, match

    today = date(2026, 12, 1)
    twins = [Supply(id=i, category="food.rice", unit="kg", quantity=1000, unit_price=30000, lat=10.0, lon=105.8,
                    stars=4, reliability=r) for i, r in ((1, 0.2), (2, 0.9))]
    order = Demand(id=9, category="food.rice", unit="kg", quantity=1000, max_unit_price=35000, lat=10.8, lon=106.7,
                   allow_split=False)
    [allocation] = match(twins, [order], now=today).allocations
    assert allocation.supply_id == 2 and allocation.breakdown.reliability_part == 0.9
