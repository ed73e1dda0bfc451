"""An admin on a desktop browser filters the moderation queue to coffee,
approves one proposal with the keyboard and rejects another with a standard
reason; the producer and the buyer then see the approved deal waiting for
their answer, and the rejected one's quantity is free again."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, Match, MatchStatus
from marketplace.models.user import Role
from tests.support.factories import DEFAULT_PASSWORD, ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


@pytest.fixture
def desktop(chromium):
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def queue(live_server):
    """Two coffee proposals and one rice proposal waiting for moderation."""
    with live_server.app.app_context():
        UserFactory(email="canbo@cungcau.vn", role=Role.ADMIN)
        coffee_grower = UserFactory(email="caphe@example.vn", role=Role.PRODUCER,
                                    profile__display_name="HTX Cà phê Krông Pắc", profile__province_code="dak-lak")
        rice_grower = UserFactory(email="gao@example.vn", role=Role.PRODUCER,
                                  profile__display_name="HTX Gạo Cần Thơ")
        buyer = UserFactory(email="chuoi@example.vn", role=Role.DISTRIBUTOR,
                            profile__display_name="Chuỗi Bách hoá", profile__province_code="ho-chi-minh")
        coffee = ListingFactory(producer=coffee_grower, title="Cà phê Robusta", category="beverages.coffee",
                                unit_price=90000, province_code="dak-lak")
        first = OrderFactory(distributor=buyer, title="Cà phê cho quán", category="beverages.coffee",
                             max_unit_price=100000)
        second = OrderFactory(distributor=buyer, title="Cà phê cho văn phòng", category="beverages.coffee",
                              max_unit_price=100000)
        approved = make_match(coffee, first, status=MatchStatus.PROPOSED, quantity=300)
        rejected = make_match(coffee, second, status=MatchStatus.PROPOSED, quantity=200)
        make_match(ListingFactory(producer=rice_grower, title="Gạo ST25"),
                   OrderFactory(distributor=buyer, title="Gạo cho bếp"), status=MatchStatus.PROPOSED)
        return approved.id, rejected.id, coffee.id, second.id


def log_in(page, url, email):
    page.goto(url + "/auth/login")
    if page.get_by_role("button", name="English").count():
        page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_admin_filters_approves_and_rejects_then_the_parties_see_it(live_server, desktop, chromium, queue):
    approved_id, rejected_id, listing_id, rejected_order_id = queue
    log_in(desktop, live_server.url, "canbo@cungcau.vn")
    desktop.goto(live_server.url + "/admin/matches")
    expect(desktop.locator("[data-match-id]")).to_have_count(3)

    desktop.get_by_label("Category").select_option("beverages.coffee")
    desktop.get_by_role("button", name="Apply").click()
    expect(desktop.locator("[data-match-id]")).to_have_count(2)
    assert "category=beverages.coffee" in desktop.url

    # The keyboard: j marks the first row (oldest first), a approves it.
    desktop.locator("body").click(position={"x": 5, "y": 5})
    desktop.keyboard.press("j")
    expect(desktop.locator(f"#match-{approved_id}")).to_be_focused()
    desktop.keyboard.press("a")
    expect(desktop.get_by_text(f"Match #{approved_id} is approved")).to_be_visible()
    expect(desktop.locator("[data-match-id]")).to_have_count(1)
    assert "category=beverages.coffee" in desktop.url

    desktop.locator(f"#reason-code-{rejected_id}").select_option("price")
    desktop.locator(f"#reason-{rejected_id}").fill("Giá cao hơn thị trường 20%")
    desktop.locator(f"#reject-{rejected_id}").click()
    expect(desktop.get_by_text(f"Match #{rejected_id} is rejected")).to_be_visible()
    expect(desktop.get_by_text("No proposal matches these filters.")).to_be_visible()

    # Each decision is in the audit log, with the reason.
    desktop.goto(live_server.url + "/admin/audit?actor=canbo")
    expect(desktop.locator("#audit-entries > li")).to_have_count(2)
    expect(desktop.get_by_text("reason: Price far from the market: Giá cao hơn thị trường 20%")).to_be_visible()

    for email in ("caphe@example.vn", "chuoi@example.vn"):
        context = chromium.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="en-GB")
        party = context.new_page()
        log_in(party, live_server.url, email)
        party.goto(live_server.url + "/matches")
        approved_card = party.locator(f"#match-{approved_id}")
        expect(approved_card).to_contain_text("Waiting for answers")
        # Nothing about a rejected proposal is hidden from its parties: it is listed with its reason.
        expect(party.locator(f"#match-{rejected_id}")).to_contain_text("Rejected")
        assert party.goto(f"{live_server.url}/matches/{rejected_id}").status == 200
        expect(party.get_by_text("Giá cao hơn thị trường 20%")).to_be_visible()
        context.close()

    with live_server.app.app_context():
        assert db.session.get(Match, approved_id).status == MatchStatus.APPROVED
        rejected = db.session.get(Match, rejected_id)
        assert rejected.status == MatchStatus.REJECTED
        assert rejected.reason == "Price far from the market: Giá cao hơn thị trường 20%"
        assert db.session.get(Listing, listing_id).reserved_quantity == 300
        assert db.session.get(DemandOrder, rejected_order_id).reserved_quantity == 0
        assert db.session.query(AuditLog).filter(AuditLog.action.in_(["match.approved", "match.rejected"])).count() == 2


def test_the_dashboard_is_compact_with_chart_text_below_the_headings(live_server, desktop, chromium):
    with live_server.app.app_context():
        UserFactory(email="thongke@cungcau.vn", role=Role.ADMIN)
        grower = UserFactory(role=Role.PRODUCER)
        buyer = UserFactory(role=Role.DISTRIBUTOR)
        for category, unit in (("food.rice", "kg"), ("food.honey", "l"), ("beverages.coffee", "kg")):
            for _ in range(3):
                ListingFactory(producer=grower, category=category, unit=unit)
            OrderFactory(distributor=buyer, category=category, unit=unit)
    log_in(desktop, live_server.url, "thongke@cungcau.vn")
    desktop.goto(live_server.url + "/admin/dashboard")
    expect(desktop.locator("figure.chart").first).to_be_visible()
    heading = desktop.eval_on_selector("h2", "e => parseFloat(getComputedStyle(e).fontSize)")
    label = desktop.eval_on_selector("figure.chart text", "e => e.getBoundingClientRect().height")
    assert label < heading
    expect(desktop.locator("#table-by-category")).not_to_be_visible()
    desktop.get_by_text("Listings and orders by category, as a table").click()
    expect(desktop.locator("#table-by-category")).to_be_visible()
    assert desktop.evaluate("document.documentElement.scrollHeight") < 3500
