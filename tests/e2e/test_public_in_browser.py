"""On a 360 px phone, without an account: a shared product link opens a light
page with the title, the price and the cover photo, and "contact through
CungCầu" leads to the sign-in page, which brings the visitor back to the listing."""
from __future__ import annotations

from urllib.parse import unquote

from flask_babel import force_locale
from playwright.sync_api import expect

from marketplace.listings.links import slug_of
from marketplace.listings.photos import add_photo
from marketplace.models.user import Role
from tests.support.factories import ListingFactory, UserFactory
from tests.support.images import jpeg_with_gps


def test_an_anonymous_visitor_opens_a_product_page_on_a_phone(live_server, phone):
    app = live_server.app
    app.config["SITE_URL"] = live_server.url
    with app.app_context():
        producer = UserFactory(role=Role.PRODUCER, profile__display_name="HTX Chè Tân Cương")
        listing = ListingFactory(producer=producer, title="Chè búp Tân Cương Thái Nguyên", unit_price=450000)
        with app.test_request_context(), force_locale("vi"):
            add_photo(listing, producer, jpeg_with_gps(size=(1600, 1200)))
        listing_id, path = listing.id, f"/p/{listing.id}-{slug_of(listing.title)}"

    response = phone.goto(f"{live_server.url}/p/{listing_id}")      # a shared short link: redirected once
    assert response.status == 200 and phone.url == f"{live_server.url}{path}"
    expect(phone.get_by_role("heading", name="Chè búp Tân Cương Thái Nguyên")).to_be_visible()
    expect(phone.get_by_text("450.000 ₫/kg")).to_be_visible()
    cover = phone.locator("img.cover")
    expect(cover).to_be_visible()
    assert cover.evaluate("img => img.complete && img.naturalWidth") > 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    assert phone.evaluate("document.querySelectorAll('script[src]').length") == 0
    assert len(response.body()) < 20_000

    phone.get_by_role("link", name="Liên hệ qua CungCầu").click()
    expect(phone.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    assert unquote(phone.url) == f"{live_server.url}/auth/login?next=/listings/{listing_id}"
