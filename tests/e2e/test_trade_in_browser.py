"""A producer on a phone lists fish sauce, is told what is wrong, fixes it,
pauses and resumes the listing; a distributor finds it without typing
diacritics and by the province's pre-2025 name."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.models import Listing, ListingStatus
from marketplace.models.user import Role
from tests.support.factories import DEFAULT_PASSWORD, UserFactory

SCREENS = Path("/tmp/screens")


@pytest.fixture
def accounts(live_server):
    with live_server.app.app_context():
        UserFactory(email="htx.phuquoc@example.vn", role=Role.PRODUCER, locale="vi",
                    profile__display_name="HTX Nước mắm Phú Quốc", profile__province_code="an-giang")
        UserFactory(email="chuoi@example.vn", role=Role.DISTRIBUTOR, locale="en",
                    profile__display_name="Chuỗi Bách hoá", profile__province_code="ho-chi-minh")


def log_in(phone, email):
    """Signs in on an English page; the accounts below read English."""
    phone.get_by_label("E-mail").fill(email)
    phone.get_by_label("Password").fill(DEFAULT_PASSWORD)
    phone.get_by_role("button", name="Log in").click()


def fits_the_screen(phone) -> bool:
    return phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_producer_lists_pauses_and_resumes_then_a_distributor_finds_it(live_server, phone, accounts):
    SCREENS.mkdir(exist_ok=True)
    phone.goto(live_server.url + "/listings/mine")
    # Signed out, the page sends to the login page, in Vietnamese by default.
    expect(phone.get_by_text("Vui lòng đăng nhập để xem trang này.")).to_be_visible()
    expect(phone.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    phone.get_by_label("E-mail").fill("htx.phuquoc@example.vn")
    phone.get_by_label("Mật khẩu").fill(DEFAULT_PASSWORD)
    phone.get_by_role("button", name="Đăng nhập").click()
    # The account reads Vietnamese; switching is remembered on the account.
    expect(phone.get_by_role("button", name="Đăng xuất")).to_be_visible()
    phone.get_by_role("button", name="English").click()
    expect(phone.get_by_role("heading", name="My listings")).to_be_visible()
    phone.get_by_role("link", name="New listing").click()
    assert phone.get_by_label("Province or city").input_value() == "An Giang"
    phone.get_by_label("Title").fill("Nước mắm Phú Quốc 40 độ đạm")
    phone.get_by_label("Category").select_option("food.fish_sauce")
    phone.get_by_label("Unit", exact=True).select_option("l")
    phone.get_by_label("Quantity for sale").fill("500")
    phone.get_by_label("Minimum order").fill("20")
    phone.get_by_label("Price per unit (VND)").fill("120.5")
    phone.get_by_label("OCOP stars").select_option("4")
    phone.get_by_label("HACCP", exact=True).check()
    phone.get_by_label("Province or city").fill("Kiên Giang")
    phone.get_by_role("button", name="Publish").click()

    # The message sits by the price; everything typed is still there.
    price_field = phone.locator(".field", has=phone.get_by_label("Price per unit (VND)"))
    expect(price_field.get_by_text("Enter a whole number of dong, without decimals")).to_be_visible()
    assert phone.get_by_label("Title").input_value() == "Nước mắm Phú Quốc 40 độ đạm"
    expect(phone.get_by_label("HACCP", exact=True)).to_be_checked()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENS / "listing-form-error.png"), full_page=True)

    phone.get_by_label("Price per unit (VND)").fill("120.000")
    phone.get_by_role("button", name="Publish").click()
    expect(phone.get_by_text("Your listing is on sale.")).to_be_visible()
    card = phone.locator(".item", has_text="Nước mắm Phú Quốc 40 độ đạm")
    expect(card.get_by_text("On sale")).to_be_visible()
    expect(card.get_by_text("120.000 ₫/litre")).to_be_visible()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENS / "my-listings.png"), full_page=True)

    card.get_by_role("button", name="Pause").click()
    expect(card.get_by_text("Paused", exact=True)).to_be_visible()
    card.get_by_role("button", name="Resume").click()
    expect(card.get_by_text("On sale")).to_be_visible()
    with live_server.app.app_context():
        listing = db.session.scalars(select(Listing)).one()
        assert (listing.status, listing.province_code, listing.unit_price) == \
            (ListingStatus.ACTIVE, "an-giang", 120_000)

    phone.get_by_role("button", name="Log out").click()
    phone.get_by_role("link", name="Log in").first.click()
    log_in(phone, "chuoi@example.vn")
    phone.get_by_role("link", name="Catalogue", exact=True).click()
    phone.get_by_role("searchbox").fill("nuoc mam")
    phone.get_by_role("button", name="Search", exact=True).click()
    expect(phone.get_by_role("link", name="Nước mắm Phú Quốc 40 độ đạm")).to_be_visible()
    assert "1 listing" in phone.locator(".count").inner_text()

    phone.get_by_role("searchbox").fill("")
    phone.get_by_text("Filters and sorting").click()
    phone.get_by_label("Province", exact=True).fill("Kiên Giang")
    phone.get_by_role("button", name="Apply").click()
    expect(phone.get_by_role("link", name="Nước mắm Phú Quốc 40 độ đạm")).to_be_visible()
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENS / "catalogue-filtered.png"), full_page=True)

    phone.get_by_label("Province", exact=True).fill("Hà Giang")
    phone.get_by_role("button", name="Apply").click()
    expect(phone.get_by_text("No listing matches these filters.")).to_be_visible()


def test_screens_of_the_form_and_the_catalogue_at_phone_width(live_server, phone, accounts):
    """Not an assertion of looks: pictures for a person to check."""
    SCREENS.mkdir(exist_ok=True)
    phone.goto(live_server.url + "/auth/login")
    phone.get_by_role("button", name="English").click()
    log_in(phone, "htx.phuquoc@example.vn")
    phone.get_by_role("button", name="English").click()
    phone.goto(live_server.url + "/listings/new")
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENS / "listing-form.png"), full_page=True)
    with live_server.app.app_context():
        from marketplace.models import User
        from tests.support.factories import ListingFactory
        producer = db.session.scalars(select(User).where(User.email == "htx.phuquoc@example.vn")).one()
        for n, title in enumerate(["Nước mắm Phú Quốc 40 độ đạm", "Tôm khô Rạch Gốc loại 1",
                                   "Gạo ST25 ruộng lúa – tôm", "Mật ong hoa bạc hà Hà Giang"]):
            ListingFactory(producer=producer, title=title, unit_price=120_000 + n * 95_500, stars=3 + n % 3)
    phone.goto(live_server.url + "/listings")
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENS / "catalogue.png"), full_page=True)
    phone.goto(live_server.url + "/listings/mine")
    assert fits_the_screen(phone)
    phone.screenshot(path=str(SCREENS / "my-listings-many.png"), full_page=True)
