"""A producer and a distributor, each on a phone, bargain over an approved
match: the buyer asks for more at a lower price, the producer accepts, both
accept the match, and each then sees the other's phone and Zalo link."""
from __future__ import annotations

from playwright.sync_api import expect

from marketplace.core.extensions import db
from marketplace.models import Match, MatchStatus
from marketplace.models.user import Role
from tests.support.factories import DEFAULT_PASSWORD, ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


def signed_in(chromium, url, email):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=2,
                                   is_mobile=True, has_touch=True, locale="en-GB")
    page = context.new_page()
    page.goto(url + "/auth/login")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return context, page


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 360


def test_two_phones_negotiate_confirm_and_see_each_others_contact(live_server, chromium):
    with live_server.app.app_context():
        producer = UserFactory(email="htx.gao@example.vn", role=Role.PRODUCER, locale="en",
                               profile__phone="0912345678", profile__display_name="HTX Gạo Mỹ Xuyên")
        distributor = UserFactory(email="bachhoa@example.vn", role=Role.DISTRIBUTOR, locale="en",
                                  profile__phone="0987654321", profile__display_name="Bách hoá Xanh")
        match_id = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                              quantity=300).id
    buyer_context, buyer = signed_in(chromium, live_server.url, "bachhoa@example.vn")
    seller_context, seller = signed_in(chromium, live_server.url, "htx.gao@example.vn")
    try:
        buyer.goto(f"{live_server.url}/matches/{match_id}")
        expect(buyer.get_by_text("Waiting for both sides to answer")).to_be_visible()
        expect(buyer.get_by_text("0912345678")).to_have_count(0)
        buyer.get_by_text("Propose other terms").click()
        buyer.get_by_label("Quantity").fill("500")
        buyer.get_by_label("Price per unit (VND)").fill("30.000")
        buyer.get_by_role("button", name="Send these terms").click()
        expect(buyer.get_by_text("Your terms wait for the other side's answer.")).to_be_visible()
        assert fits_the_screen(buyer)

        seller.goto(f"{live_server.url}/matches/{match_id}")
        seller.get_by_role("button", name="Accept these terms").click()
        expect(seller.get_by_text("You accepted the new terms.")).to_be_visible()
        expect(seller.get_by_text("Waiting for the buyer's answer")).to_be_visible()

        buyer.reload()
        expect(buyer.get_by_text("Negotiated. First proposed: 300 kg")).to_be_visible()
        buyer.get_by_role("button", name="Accept", exact=True).click()
        expect(buyer.get_by_text("Both sides accepted: the match is confirmed.")).to_be_visible()
        expect(buyer.get_by_role("link", name="0912345678")).to_be_visible()
        expect(buyer.get_by_role("link", name="Zalo")).to_have_attribute("href", "https://zalo.me/84912345678")

        seller.reload()
        expect(seller.get_by_role("link", name="0987654321")).to_be_visible()
        expect(seller.get_by_role("link", name="Zalo")).to_have_attribute("href", "https://zalo.me/84987654321")
        assert fits_the_screen(seller)
    finally:
        buyer_context.close()
        seller_context.close()
    with live_server.app.app_context():
        match = db.session.get(Match, match_id)
        assert (match.status, match.quantity, match.unit_price) == (MatchStatus.CONFIRMED, 500, 30000)
