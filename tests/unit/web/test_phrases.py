"""The engine's explanations and suggestions in the reader's words: every
sentence comes from the catalogue, in English and in Vietnamese."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale

from marketplace.matching import Demand, explain_unmatched, match, suggest_listing_changes
from marketplace.web.phrases import explanation_in_words, suggestion_in_words
from tests.unit.matching.test_explain import HCMC, NOW, ORDER, listing


@pytest.fixture(autouse=True)
def _context(app):
    with app.test_request_context("/"):
        yield


def in_words(explanation, locale="en"):
    with force_locale(locale):
        return explanation_in_words(explanation)


def test_each_reason_of_the_issue_example_reads_as_a_sentence():
    supplies = [
        listing(1, 52_500), listing(2, 54_000), listing(3, 55_000), listing(4, 56_000),  # 5-12 % above
        listing(5, 45_000, stars=3), listing(6, 45_000, stars=0),
        listing(7, 45_000, certs=()),
        listing(8, 45_000, unit="box"),
    ]
    e = explain_unmatched(ORDER, supplies, now=NOW)
    text = in_words(e)
    assert "4 listings of this category are 5–12 % above your maximum price (cheapest 52.500 ₫/kg)" in text
    assert "2 have fewer stars than you require" in text
    assert "1 lacks VietGAP" in text
    assert any("tin bán" in m for m in in_words(e, "vi"))


def test_an_order_outbid_by_others_hears_that_its_listings_went_elsewhere():
    supplies = [listing(1, 45_000)]
    rival = Demand(id=10, category="rice", unit="kg", quantity=100, max_unit_price=60_000, lat=HCMC[0],
                   lon=HCMC[1])
    solo = Demand(id=9, category="rice", unit="kg", quantity=100, max_unit_price=50_000, lat=HCMC[0],
                  lon=HCMC[1], allow_split=False)
    result = match(supplies, [rival, solo], now=NOW)
    loser = next(d for d in (rival, solo) if d.id in result.unmatched_demand_ids)
    e = explain_unmatched(loser, supplies, now=NOW, result=result)
    assert "went to other orders" in in_words(e)[0]


def test_an_overdue_order_is_told_so():
    late = explain_unmatched(ORDER, [listing(1, 45_000)], now=NOW + timedelta(days=8))
    assert in_words(late) == ["Your needed-by date has passed"]
    assert in_words(late, "vi") == ["Ngày cần hàng của đơn đã qua"]


def test_a_producer_reads_the_price_that_would_match_open_orders():
    mine = listing(1, 55_000)
    orders = [Demand(id=20 + i, category="rice", unit="kg", quantity=10, max_unit_price=price, lat=HCMC[0],
                     lon=HCMC[1]) for i, price in enumerate([48_000, 50_000, 52_000])]
    tips = suggest_listing_changes(mine, orders, now=NOW)
    with force_locale("en"):
        assert suggestion_in_words(tips[-1], "kg") == "Lower your price to 48.000 ₫/kg to match 3 open orders"
    with force_locale("vi"):
        assert "Hạ giá xuống 48.000 ₫/kg" in suggestion_in_words(tips[-1], "kg")


def test_a_missing_certification_is_named_with_one_order_in_the_singular():
    mine = listing(1, 40_000, certs=())
    orders = [Demand(id=1, category="rice", unit="kg", quantity=100, max_unit_price=50_000, lat=HCMC[0],
                     lon=HCMC[1], required_certifications=frozenset({"organic"}))]
    tips = {t.code: t for t in suggest_listing_changes(mine, orders, now=NOW)}
    with force_locale("en"):
        assert "Get Organic to match 1 open order" == suggestion_in_words(tips["add_certification"], "kg")


def test_listings_declined_before_are_counted_in_words():
    supplies = [listing(1, 45_000), listing(2, 45_000, stars=3), listing(3, 45_000)]
    excluded = {(1, ORDER.id), (2, ORDER.id), (3, ORDER.id + 1), (99, ORDER.id)}
    e = explain_unmatched(ORDER, supplies, now=NOW, excluded_pairs=excluded)
    assert "2 were declined or already proposed for this order" in in_words(e)
    assert "2 tin bán đã bị từ chối hoặc đã được đề xuất cho đơn này" in in_words(e, "vi")
    only = explain_unmatched(ORDER, [listing(1, 45_000)], now=NOW, excluded_pairs=[(1, ORDER.id)])
    assert in_words(only) == ["1 was declined or already proposed for this order"]
