"""Listing pages as producers use them: the form and its
messages, "my listings" and its actions."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.clock import local_today
from marketplace.core.extensions import db as _db
from marketplace.models import Listing, ListingStatus
from marketplace.models.user import Role
from tests.support.factories import ListingFactory
from tests.support.pages import errors_next_to, listing_form, post

TODAY = local_today()


@pytest.fixture
def producer(user_factory, auth):
    user = user_factory(email="htx@example.vn", role=Role.PRODUCER)
    auth.login("htx@example.vn")
    return user


def listing_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(Listing))


# --- creating and editing ---------------------------------------------------

def test_new_listing_form_starts_in_kg_in_the_producers_province(producer, client):
    html = client.get("/listings/new").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="province"[^>]*value="Cần Thơ"', html)
    assert '<optgroup label="Food">' in html and 'value="food.fish_sauce"' in html
    assert '<option selected value="kg">' in html
    assert "per selected unit" in html
    assert html.count('name="certifications"') == 6


def test_a_listing_typed_in_tonnes_is_stored_per_kg_and_shown_in_my_listings(producer, auth, client):
    response = post(auth, "/listings/new", listing_form(
        title="Gạo ST25", category="food.rice", unit="tan", quantity="2", min_order_quantity="1",
        unit_price="32.000.000", province="Sóc Trăng"))
    assert response.status_code == 302 and response.location.endswith("/listings/mine")
    listing = _db.session.scalars(select(Listing)).one()
    assert (listing.unit, listing.quantity, listing.min_order_quantity, listing.unit_price) == \
        ("kg", 2000, 1000, 32_000)
    assert listing.province_code == "can-tho" and listing.status is ListingStatus.ACTIVE
    assert [(c.code, c.number) for c in listing.certifications] == [("haccp", "HACCP-PQ-01")]

    html = client.get("/listings/mine").get_data(as_text=True)
    assert "Your listing is on sale." in html
    assert "Gạo ST25" in html and "On sale" in html
    assert "2,000 kg" in html and "32.000 ₫/kg" in html


def test_save_as_draft_keeps_the_listing_out_of_the_catalogue(producer, auth, client):
    post(auth, "/listings/new", listing_form(action="draft"))
    assert _db.session.scalars(select(Listing)).one().status is ListingStatus.DRAFT
    assert "Draft" in client.get("/listings/mine").get_data(as_text=True)
    assert "Nước mắm" not in client.get("/listings").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["48.000", "48 000", "48000", "48.000 ₫", "48,000"])
def test_a_price_typed_with_thousands_separators_is_whole_dong(producer, auth, typed):
    assert post(auth, "/listings/new", listing_form(unit="kg", unit_price=typed)).status_code == 302
    assert _db.session.scalars(select(Listing.unit_price)).one() == 48_000


@pytest.mark.parametrize("changes, field, message", [
    ({"quantity": "0"}, "quantity", "Enter a whole number greater than zero."),
    ({"quantity": "-5"}, "quantity", "Enter a whole number greater than zero."),
    ({"quantity": "2.5"}, "quantity", "Enter a whole number, without decimals."),
    ({"quantity": "nhiều"}, "quantity", "Enter a number, e.g. 2000 or 1,5."),
    ({"quantity": "9" * 40}, "quantity", "This number is too large."),
    ({"min_order_quantity": "600"}, "min_order_quantity", "The minimum order cannot exceed the quantity."),
    ({"unit_price": "48.5"}, "unit_price", "Enter a whole number of dong, without decimals"),
    ({"unit_price": "48,5"}, "unit_price", "Enter a whole number of dong, without decimals"),
    ({"unit_price": "abc"}, "unit_price", "Enter a whole number of dong, without decimals"),
    ({"unit_price": ""}, "unit_price", "Enter a price in whole dong, greater than zero."),
    ({"unit_price": "0"}, "unit_price", "Enter a price in whole dong, greater than zero."),
    ({"available_from": (TODAY + timedelta(days=9)).isoformat(),
      "available_until": (TODAY + timedelta(days=2)).isoformat()},
     "available_until", "The end date is before the start date."),
    ({"available_until": (TODAY - timedelta(days=1)).isoformat()}, "available_until",
     "This date is in the past."),
    ({"available_from": "31/02/2026"}, "available_from", "Not a valid date value."),
    ({"category": "weapons.guns"}, "category", "Unknown category. Choose one from the list."),
    ({"category": "food"}, "category", "Unknown category. Choose one from the list."),
    ({"unit": "gallon"}, "unit", "Unknown unit. Choose one from the list."),
    ({"province": "Atlantis"}, "province", "Unknown province."),
    ({"certifications": ["iso9999"]}, "certifications", "Unknown certification: iso9999."),
    ({"stars": "2"}, "stars", "OCOP stars are 0 (none), 3, 4 or 5."),
    ({"stars": "many"}, "stars", "OCOP stars are 0 (none), 3, 4 or 5."),
    ({"title": "   "}, "title", "This field is required."),
    ({"title": "x" * 121}, "title", "At most 120 characters."),
    ({"description": "x" * 2001}, "description", "At most 2000 characters."),
    ({"traceability_code": "x" * 65}, "traceability_code", "At most 64 characters."),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_stored(producer, auth, changes, field,
                                                                      message):
    response = post(auth, "/listings/new", listing_form(**changes))
    assert response.status_code == 400
    errors = errors_next_to(response.get_data(as_text=True), field)
    assert any(message in error for error in errors), errors
    assert listing_count() == 0


def test_what_the_producer_typed_stays_in_the_form_after_an_error(producer, auth):
    response = post(auth, "/listings/new", listing_form(unit_price="48.5", province="bac lieu"))
    html = response.get_data(as_text=True)
    assert 'value="48.5"' in html
    assert 'value="Nước mắm Phú Quốc 40 độ đạm"' in html
    assert 'value="bac lieu"' in html
    assert 'value="HACCP-PQ-01"' in html
    assert 'value="haccp" checked' in html


def test_html_typed_in_a_listing_is_stored_as_typed_and_shown_escaped(producer, auth, client):
    title = '<script>alert("x")</script> Mắm'
    description = "<b>bold</b> & <img src=x onerror=alert(1)>"
    post(auth, "/listings/new", listing_form(title=title, description=description))
    listing = _db.session.scalars(select(Listing)).one()
    assert (listing.title, listing.description) == (title, description)
    for path in ("/listings", f"/listings/{listing.id}", "/listings/mine", f"/listings/{listing.id}/edit"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, path
        assert "&lt;script&gt;" in html, path


def test_the_edit_form_shows_the_stored_listing_and_saves_changes(producer, auth, client):
    post(auth, "/listings/new", listing_form())
    listing = _db.session.scalars(select(Listing)).one()
    html = client.get(f"/listings/{listing.id}/edit").get_data(as_text=True)
    assert 'value="Nước mắm Phú Quốc 40 độ đạm"' in html and 'value="An Giang"' in html
    assert 'value="120000"' in html and 'value="HACCP-PQ-01"' in html

    response = post(auth, f"/listings/{listing.id}/edit", listing_form(
        unit_price="125000", certifications=["haccp", "ocop"], number_haccp="HACCP-PQ-02"))
    assert response.status_code == 302
    _db.session.refresh(listing)
    assert listing.unit_price == 125_000 and listing.revision == 2
    assert [(c.code, c.number) for c in listing.certifications] == [("haccp", "HACCP-PQ-02"), ("ocop", None)]


def test_a_refused_edit_changes_nothing(producer, auth):
    listing = ListingFactory(producer=producer)
    response = post(auth, f"/listings/{listing.id}/edit", listing_form(quantity="0", title="Đổi tên"))
    assert response.status_code == 400
    errors = errors_next_to(response.get_data(as_text=True), "quantity")
    assert "Enter a whole number greater than zero." in errors
    _db.session.refresh(listing)
    assert listing.title.startswith("Gạo ST25") and listing.quantity == 2000


# --- status actions -----------------------------------------------------------

def test_producer_pauses_and_resumes_a_listing(producer, auth, client):
    listing = ListingFactory(producer=producer, title="Mật ong bạc hà")
    assert post(auth, f"/listings/{listing.id}/pause", {}).status_code == 302
    _db.session.refresh(listing)
    assert listing.status is ListingStatus.PAUSED
    html = client.get("/listings/mine").get_data(as_text=True)
    assert "is paused" in html and "Resume" in html
    assert "Mật ong bạc hà" not in client.get("/listings").get_data(as_text=True)

    assert post(auth, f"/listings/{listing.id}/publish", {}).status_code == 302
    _db.session.refresh(listing)
    assert listing.status is ListingStatus.ACTIVE
    assert "Mật ong bạc hà" in client.get("/listings").get_data(as_text=True)


def test_an_action_the_status_forbids_says_why_with_409(producer, auth):
    listing = ListingFactory(producer=producer, status=ListingStatus.PAUSED)
    response = post(auth, f"/listings/{listing.id}/pause", {})
    assert response.status_code == 409
    assert "Only an active listing can be paused." in response.get_data(as_text=True)

    expired = ListingFactory(producer=producer, status=ListingStatus.PAUSED,
                             available_until=TODAY - timedelta(days=1))
    response = post(auth, f"/listings/{expired.id}/publish", {})
    assert response.status_code == 409
    assert "The available-until date has passed" in response.get_data(as_text=True)
    _db.session.refresh(expired)
    assert expired.status is ListingStatus.PAUSED


def test_removing_asks_for_confirmation_then_keeps_the_row(producer, auth, client):
    listing = ListingFactory(producer=producer, title="Nón lá Huế")
    page = client.get(f"/listings/{listing.id}/remove")
    assert page.status_code == 200 and "Yes, remove it" in page.get_data(as_text=True)
    _db.session.refresh(listing)
    assert listing.status is ListingStatus.ACTIVE

    assert post(auth, f"/listings/{listing.id}/remove", {}).status_code == 302
    _db.session.refresh(listing)
    assert listing.status is ListingStatus.REMOVED
    html = client.get("/listings/mine").get_data(as_text=True)
    assert "is removed" in html and f'id="listing-{listing.id}"' not in html
    assert post(auth, f"/listings/{listing.id}/remove", {}).status_code == 409
    assert client.get(f"/listings/{listing.id}/edit").status_code == 409


def test_every_problem_is_reported_in_one_round_even_when_a_number_does_not_parse(producer, auth):
    """A producer on a slow line should not fix one field per submit."""
    response = post(auth, "/listings/new", listing_form(unit_price="48.5", quantity="0", province="Atlantis"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert any("without decimals" in e for e in errors_next_to(html, "unit_price"))
    assert any("greater than zero" in e for e in errors_next_to(html, "quantity"))
    assert any("Unknown province" in e for e in errors_next_to(html, "province"))
    assert len(errors_next_to(html, "unit_price")) == 1  # the parse message, not a second one
    assert listing_count() == 0


def test_one_and_a_half_tonnes_are_stored_as_1500_kg_and_half_a_kilo_is_refused(producer, auth, client):
    response = post(auth, "/listings/new", listing_form(category="food.rice", unit="tan", quantity="1,5",
                                                        min_order_quantity="0,5", unit_price="30.000.000"))
    assert response.status_code == 302
    listing = _db.session.scalars(select(Listing)).one()
    assert (listing.unit, listing.quantity, listing.min_order_quantity, listing.unit_price) == \
        ("kg", 1500, 500, 30_000)
    refused = post(auth, "/listings/new", listing_form(category="food.rice", unit="kg", quantity="2,5"))
    assert refused.status_code == 400
    assert errors_next_to(refused.get_data(as_text=True), "quantity") == \
        ["Enter a whole number, without decimals."]
    assert _db.session.scalar(select(func.count(Listing.id))) == 1
