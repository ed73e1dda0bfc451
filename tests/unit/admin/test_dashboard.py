"""The supply and demand dashboard page: every figure against a small world
whose answers are worked out by hand below (`build_world`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from marketplace.core.clock import utcnow
from marketplace.core.extensions import db
from marketplace.models import ListingStatus, MatchStatus, OrderStatus
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, OrderFactory, ProfileFactory, UserFactory
from tests.support.match_data import make_match

DAY = 86400


@dataclass
class World:
    listings: dict
    orders: dict
    matches: dict
    producers: dict
    distributors: dict
    now: object


def build_world() -> World:
    """Two categories (rice in kg, honey in litres), three provinces.

    Live supply (active or sold out, producer not suspended), on offer = quantity - reserved:
      L1 rice  kg  Cần Thơ  1400 - 500 = 900   (600 sold by M2; M1 400 + M5 100 reserved)
      L5 rice  kg  Hà Nội   sold out, 0
      L2 honey l   Hà Nội   500 - 150 = 350  (M4)
      L6 honey l   Hà Nội   100 - 50 = 50    (M3, proposed)
      not counted: L3 (producer suspended), L4 (paused)
    Live demand (open or partly matched, distributor not suspended), open = quantity - reserved - fulfilled:
      O2 rice  kg  Cần Thơ      3000 - 0 - 600 = 2400
      O7 rice  kg  Hồ Chí Minh  700
      O3 honey l   Hà Nội       300 - 200 = 100
      not counted: O1, O6 (matched), O5 (cancelled), O4 (distributor suspended)
    Fill rate over the last 30 days (orders posted then, distributor not suspended):
      kg: O1 400 (M1 400: full), O2 3000 (M2 600), O5 500, O7 700 -> 4 orders, 4600 ordered, 1000 filled, 1 full
      l:  O3 300 (M4 150; M3 only proposed) -> 1 order, 300 ordered, 150 filled
      all time adds O6 100 kg (M5 100: full).
    Time to confirm: M1 1 day, M2 3 days, M4 2 days in the last 30; M5 20 days before that.
    Delivered (received): M2 600 kg, 4 days after O2 was posted.
    """
    now = utcnow()
    grower = UserFactory(role=Role.PRODUCER, profile=ProfileFactory(display_name="HTX Gạo Cần Thơ"))
    beekeeper = UserFactory(role=Role.PRODUCER, profile=ProfileFactory(display_name="@Tổ hợp Ong Ba Vì",
                                                                       province_code="ha-noi"))
    banned = UserFactory(role=Role.PRODUCER, status=UserStatus.SUSPENDED)
    buyer = UserFactory(role=Role.DISTRIBUTOR, profile=ProfileFactory(display_name="Công ty Phân phối Sài Gòn",
                                                                      province_code="ho-chi-minh"))
    banned_buyer = UserFactory(role=Role.DISTRIBUTOR, status=UserStatus.SUSPENDED)

    listings = {
        "L1": ListingFactory(producer=grower, title="Gạo ST25 Cần Thơ", quantity=2000),
        "L2": ListingFactory(producer=beekeeper, title="=SUM(A1:A2) Mật ong rừng", category="food.honey",
                             unit="l", quantity=500, min_order_quantity=10, unit_price=250000,
                             province_code="ha-noi"),
        "L3": ListingFactory(producer=banned, quantity=9999),
        "L4": ListingFactory(producer=grower, status=ListingStatus.PAUSED, quantity=777),
        "L5": ListingFactory(producer=grower, status=ListingStatus.SOLD_OUT, quantity=0, province_code="ha-noi",
                             min_order_quantity=1),
        "L6": ListingFactory(producer=beekeeper, title="Mật ong hoa nhãn", category="food.honey", unit="l",
                             quantity=100, min_order_quantity=10, unit_price=200000, province_code="ha-noi"),
    }
    ago = lambda days: now - timedelta(days=days)  # noqa: E731
    orders = {
        "O1": OrderFactory(distributor=buyer, quantity=400, status=OrderStatus.MATCHED, created_at=ago(10)),
        "O2": OrderFactory(distributor=buyer, quantity=3000, delivery_province_code="can-tho",
                           status=OrderStatus.PARTIALLY_MATCHED, created_at=ago(8)),
        "O3": OrderFactory(distributor=buyer, category="food.honey", unit="l", quantity=300, max_unit_price=300000,
                           delivery_province_code="ha-noi", status=OrderStatus.PARTIALLY_MATCHED,
                           created_at=ago(5)),
        "O4": OrderFactory(distributor=banned_buyer, quantity=5000, created_at=ago(2)),
        "O5": OrderFactory(distributor=buyer, quantity=500, status=OrderStatus.CANCELLED, created_at=ago(3)),
        "O6": OrderFactory(distributor=buyer, quantity=100, status=OrderStatus.MATCHED, created_at=ago(60),
                           delivery_province_code="ha-noi"),
        "O7": OrderFactory(distributor=buyer, quantity=700, created_at=ago(1)),
    }
    L, O = listings, orders
    matches = {
        "M1": make_match(L["L1"], O["O1"], MatchStatus.CONFIRMED, 400, confirmed_at=ago(9)),
        "M2": make_match(L["L1"], O["O2"], MatchStatus.FULFILLED, 600, confirmed_at=ago(5), fulfilled_at=ago(4),
                         approved_by_policy=True),
        "M3": make_match(L["L6"], O["O3"], MatchStatus.PROPOSED, 50, created_at=now - timedelta(hours=3)),
        "M4": make_match(L["L2"], O["O3"], MatchStatus.CONFIRMED, 150, confirmed_at=ago(3)),
        "M5": make_match(L["L1"], O["O6"], MatchStatus.CONFIRMED, 100, confirmed_at=ago(40), created_at=ago(45)),
    }
    # M2 was delivered: its quantity left the listing's stock and its reservations.
    L["L1"].reserved_quantity -= 600
    L["L1"].quantity -= 600
    L["L1"].sold_quantity = 600
    O["O2"].reserved_quantity -= 600
    O["O2"].fulfilled_quantity = 600
    db.session.commit()
    return World(listings, orders, matches, {"grower": grower, "beekeeper": beekeeper},
                 {"buyer": buyer}, now)


@pytest.fixture
def world(app):
    return build_world()


class Tables(HTMLParser):
    """Each <table id=...> of a page as rows of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(attrs.get("id", ""), [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def page_of(client, auth, admin, path="/admin/dashboard"):
    """The page and its tables, signing ``admin`` in first unless ``auth`` is None."""
    if auth is not None:
        auth.login(admin.email)
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return html, Tables(html).tables


def test_admin_home_is_the_dashboard(auth, client, admin):
    auth.login(admin.email)
    response = client.get("/admin/")
    assert response.status_code == 302 and response.location.endswith("/admin/dashboard")


def test_supply_and_demand_by_category_count_only_live_rows_of_users_in_good_standing(
        auth, client, admin, world):
    _html, tables = page_of(client, auth, admin)
    assert tables["table-by-category"][1:] == [
        ["Honey and bee products", "2", "400 litre", "1", "100 litre"],
        ["Rice and grains", "2", "900 kg", "2", "3,100 kg"],
    ]


def test_supply_and_demand_by_province_never_add_kilograms_to_litres(auth, client, admin, world):
    _html, tables = page_of(client, auth, admin)
    assert tables["table-by-province"][1:] == [
        ["Cần Thơ", "1", "900 kg", "1", "2,400 kg"],
        ["Hà Nội", "3", "400 litre", "1", "100 litre"],
        ["Hồ Chí Minh", "0", "0", "1", "700 kg"],
    ]


def test_one_chart_per_unit_with_its_numbers_in_a_table(auth, client, admin, world):
    html, tables = page_of(client, auth, admin)
    assert html.count("<svg") == 4          # by category and by province, in kg and in litres
    assert 'aria-labelledby="chart-category-kg-title chart-category-kg-desc"' in html
    assert "<title id=\"chart-category-kg-title\">Supply and demand by category, in kg</title>" in html
    assert tables["chart-category-kg-table"][1:] == [["Rice and grains", "900", "3,100"]]
    assert tables["chart-province-kg-table"][1:] == [["Cần Thơ", "900", "2,400"], ["Hà Nội", "0", "0"],
                                                     ["Hồ Chí Minh", "0", "700"]]
    assert tables["chart-province-l-table"][1:] == [["Hà Nội", "400", "100"]]
    assert "https://" not in html.split("<main>")[1]     # nothing fetched from elsewhere


def test_unmet_demand_and_surplus_by_province(auth, client, admin, world):
    html, tables = page_of(client, auth, admin)
    assert tables["table-balance"][1:] == [
        ["Cần Thơ", "kg", "2,400", "900", "1,500", "0"],
        ["Hà Nội", "kg", "0", "0", "0", "0"],
        ["Hà Nội", "litre", "100", "400", "0", "300"],
        ["Hồ Chí Minh", "kg", "700", "0", "700", "0"],
    ]
    assert "Unmet demand: open demand delivered to the province" in html


def test_fill_rate_over_the_default_thirty_days(auth, client, admin, world):
    html, tables = page_of(client, auth, admin)
    assert tables["table-fill"][1:] == [
        ["kg", "4", "4,600", "1,000", "21.7%", "600", "13.0%"],
        ["litre", "1", "300", "150", "50.0%", "0", "0.0%"],
    ]
    assert "1 of 5 orders covered in full (20.0%)." in html
    assert "Of the orders posted in the period" in html


def test_fill_rate_over_all_time_takes_in_the_older_order(auth, client, admin, world):
    html, tables = page_of(client, auth, admin, "/admin/dashboard?days=0")
    assert tables["table-fill"][1:] == [
        ["kg", "5", "4,700", "1,100", "23.4%", "600", "12.8%"],
        ["litre", "1", "300", "150", "50.0%", "0", "0.0%"],
    ]
    assert "2 of 6 orders covered in full (33.3%)." in html
    assert '<option value="0" selected>All time</option>' in html


def test_median_time_to_confirm_in_words(auth, client, admin, world):
    html, _tables = page_of(client, auth, admin)
    assert "Median: 2 days, over 3 matches confirmed in the period." in " ".join(html.split())
    html, _tables = page_of(client, None, admin, "/admin/dashboard?days=90")
    assert "Median: 2 days 12 hours, over 4 matches confirmed in the period." in " ".join(html.split())


def test_median_time_to_goods_received_counts_fulfilled_deals_only(auth, client, admin, world):
    html, _tables = page_of(client, auth, admin)
    assert "Median: 4 days, over 1 deal fulfilled in the period." in " ".join(html.split())
    html, _tables = page_of(client, None, admin, "/admin/dashboard?days=7")
    assert "Median: 4 days, over 1 deal fulfilled in the period." in " ".join(html.split())


def test_proposals_waiting_for_moderation(auth, client, admin, world):
    html, _tables = page_of(client, auth, admin)
    assert '<strong class="big" id="waiting-count">1</strong>' in html
    assert 'id="oldest-waiting">The oldest has waited since' in html
    assert 'href="/admin/matches"' in html


def test_recent_runs_with_their_figures_and_links(auth, client, admin, rice, run_now):
    run = run_now()
    html, _tables = page_of(client, auth, admin)
    section = html.split('id="runs"')[1]
    assert f'href="/admin/match-runs/{run.id}"' in section
    assert "<dt>Arcs</dt><dd>1</dd>" in section
    assert "<dt>Allocated quantity (all units)</dt><dd>1,000</dd>" in section
    assert "<dt>Pruned</dt><dd>no</dd>" in section


def test_an_empty_marketplace_says_so(auth, client, admin):
    html, _tables = page_of(client, auth, admin)
    assert "No live listings or orders." in html
    assert "No orders were posted in this period." in html
    assert "No match was confirmed in this period." in html


def test_a_junk_period_falls_back_to_thirty_days(auth, client, admin, world):
    html, _tables = page_of(client, auth, admin, "/admin/dashboard?days=abc")
    assert '<option value="30" selected>Last 30 days</option>' in html


def test_the_page_links_the_exports(auth, client, admin):
    html, _tables = page_of(client, auth, admin)
    assert 'href="/admin/exports/unmet-demand.csv"' in html and 'href="/admin/exports/matches.csv"' in html


def test_the_page_speaks_vietnamese_to_a_vietnamese_admin(auth, client, app):
    admin = UserFactory(role=Role.ADMIN, locale="vi")
    client.set_cookie("lang", "vi")
    build_world()
    _html, tables = page_of(client, auth, admin)
    assert tables["table-by-category"][2] == ["Gạo và ngũ cốc", "2", "900 kg", "2", "3.100 kg"]
    assert tables["table-by-category"][1][2] == "400 lít"


@pytest.mark.parametrize("path", ["/admin/", "/admin/dashboard", "/admin/exports/matches.csv",
                                  "/admin/exports/unmet-demand.csv"])
def test_non_admins_are_refused(auth, client, producer, distributor, path):
    assert client.get(path).status_code == 302  # to the login page
    for user in (producer, distributor):
        auth.login(user.email)
        assert client.get(path).status_code == 403
        auth.logout()


def test_the_figures_take_six_queries_however_many_rows(app, rice, run_now):
    from sqlalchemy import event

    from marketplace.admin.reports import services as dashboard

    run_now()
    build_world()
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        board = dashboard.dashboard(30)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert len(board.runs) == 1 and board.by_category
    # supply, demand, fill rate, times to confirm and to deliver, moderation, runs (and nothing per row)
    assert len(statements) == 6, statements
