"""Explanations for orders left unfilled and suggestions for producers, as
codes and values (tests/unit/web/test_phrases.py checks them in words)."""

from __future__ import annotations

from datetime import date, timedelta

from marketplace.matching import (
    Demand,
    Supply,
    explain_unmatched,
    match,
    suggest_listing_changes,
)

NOW = date(2025, 6, 1)
HCMC = (10.78, 106.70)


def listing(id, price, stars=4, certs=("VietGAP",), unit="kg", **kw):
    return Supply(id=id, category="rice", unit=unit, quantity=100, unit_price=price, lat=HCMC[0], lon=HCMC[1],
                  stars=stars, certifications=frozenset(certs), **kw)


ORDER = Demand(id=9, category="rice", unit="kg", quantity=50, max_unit_price=50_000, lat=HCMC[0], lon=HCMC[1],
               needed_by=NOW + timedelta(days=7), min_stars=4, required_certifications=frozenset({"VietGAP"}))


def test_explanation_counts_each_reason_like_the_issue_example():
    supplies = [
        listing(1, 52_500), listing(2, 54_000), listing(3, 55_000), listing(4, 56_000),  # 5-12 % above
        listing(5, 45_000, stars=3), listing(6, 45_000, stars=0),
        listing(7, 45_000, certs=()),
        listing(8, 45_000, unit="box"),
    ]
    e = explain_unmatched(ORDER, supplies, now=NOW)
    reasons = {(r.code, r.detail): r for r in e.reasons}
    price = reasons[("price", None)]
    assert (price.listings, price.low, price.high, price.value) == (4, 5, 12, 52_500)
    assert reasons[("stars", None)].listings == 2
    assert reasons[("certifications", "VietGAP")].listings == 1
    assert reasons[("category_unit", "box")].listings == 1
    assert e.feasible_listings == 0 and e.listings_in_category == 8


def test_explanation_for_an_order_outbid_by_others():
    supplies = [listing(1, 45_000)]
    rival = Demand(id=10, category="rice", unit="kg", quantity=100, max_unit_price=60_000, lat=HCMC[0],
                   lon=HCMC[1])
    solo = Demand(id=9, category="rice", unit="kg", quantity=100, max_unit_price=50_000, lat=HCMC[0],
                  lon=HCMC[1], allow_split=False)
    result = match(supplies, [rival, solo], now=NOW)
    assert result.unmatched_demand_ids == [9] or result.unmatched_demand_ids == [10]
    loser = next(d for d in (rival, solo) if d.id in result.unmatched_demand_ids)
    e = explain_unmatched(loser, supplies, now=NOW, result=result)
    assert e.feasible_listings == 1
    assert [r.code for r in e.reasons] == ["outcompeted"]


def test_explanation_when_nothing_is_listed_and_when_the_order_is_overdue():
    assert [r.code for r in explain_unmatched(ORDER, [], now=NOW).reasons] == ["no_listings"]
    late = explain_unmatched(ORDER, [listing(1, 45_000)], now=NOW + timedelta(days=8))
    assert [r.code for r in late.reasons] == ["order_overdue"]


def test_producer_sees_the_price_that_would_match_open_orders():
    mine = listing(1, 55_000)
    orders = [
        Demand(id=20 + i, category="rice", unit="kg", quantity=10, max_unit_price=price, lat=HCMC[0], lon=HCMC[1])
        for i, price in enumerate([48_000, 50_000, 52_000])
    ] + [Demand(id=30, category="rice", unit="kg", quantity=10, max_unit_price=60_000, lat=0, lon=0, min_stars=5)]
    tips = suggest_listing_changes(mine, orders, now=NOW)
    prices = [(t.price, t.orders) for t in tips if t.code == "lower_price"]
    assert prices == [(52_000, 1), (50_000, 2), (48_000, 3)]


def test_producer_sees_certification_minimum_order_and_date_changes():
    mine = listing(1, 40_000, certs=(), min_order_quantity=80, available_from=NOW + timedelta(days=20))
    base = dict(category="rice", unit="kg", max_unit_price=50_000, lat=HCMC[0], lon=HCMC[1])
    orders = [
        Demand(id=1, quantity=100, required_certifications=frozenset({"organic"}), **base),
        Demand(id=2, quantity=30, **base),
        Demand(id=3, quantity=100, needed_by=NOW + timedelta(days=10), **base),
    ]
    tips = {t.code: t for t in suggest_listing_changes(mine, orders, now=NOW)}
    assert tips["add_certification"].certification == "organic" and tips["add_certification"].orders == 1
    assert tips["lower_min_order"].min_order_quantity == 30
    assert tips["available_earlier"].available_from == NOW + timedelta(days=10)
