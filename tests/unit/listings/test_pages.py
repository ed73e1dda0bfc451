"""Listing pages as producers and buyers use them: the form and its
messages, "my listings" and its actions, the catalogue with its filters."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select, update

from marketplace.core.clock import local_today
from marketplace.core.extensions import db as _db
from marketplace.models import Listing, ListingCertification, ListingStatus, MatchStatus
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match
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


# --- the catalogue ------------------------------------------------------------

@pytest.fixture
def buyer(user_factory, auth):
    user = user_factory(email="buyer@example.vn", role=Role.DISTRIBUTOR)
    auth.login("buyer@example.vn")
    return user


@pytest.fixture
def stock(user_factory):
    seller = user_factory(role=Role.PRODUCER)
    fish = ListingFactory(producer=seller, title="Nước mắm Phú Quốc", category="food.fish_sauce",
                          province_code="an-giang", unit_price=120_000, stars=5)
    fish.certifications.append(ListingCertification(code="haccp"))
    shrimp = ListingFactory(producer=seller, title="Tôm khô Rạch Gốc", category="food.seafood",
                            province_code="ca-mau", unit_price=900_000, stars=4)
    tea = ListingFactory(producer=seller, title="Chè Tân Cương", category="beverages.tea",
                         province_code="thai-nguyen", unit_price=400_000, stars=3)
    _db.session.commit()
    return {"fish": fish, "shrimp": shrimp, "tea": tea}


def shown(html: str, stock: dict) -> set[str]:
    return {name for name, listing in stock.items() if f"/listings/{listing.id}\"" in html}


@pytest.mark.parametrize("query, expected", [
    ("", {"fish", "shrimp", "tea"}),
    ("?q=nuoc+mam", {"fish"}),
    ("?q=NƯỚC+MẮM", {"fish"}),
    ("?province=Bạc+Liêu", {"shrimp"}),
    ("?province=kien+giang", {"fish"}),
    ("?category=food", {"fish", "shrimp"}),
    ("?category=beverages.tea", {"tea"}),
    ("?stars=4", {"fish", "shrimp"}),
    ("?certification=haccp", {"fish"}),
    ("?min_price=100.000&max_price=500000", {"fish", "tea"}),
    ("?q=zzz", set()),
])
def test_catalogue_filters(buyer, client, stock, query, expected):
    response = client.get("/listings" + query)
    assert response.status_code == 200
    assert shown(response.get_data(as_text=True), stock) == expected


def test_catalogue_sorts_by_price_and_by_distance_from_the_viewer(buyer, client, stock):
    html = client.get("/listings?sort=price_asc").get_data(as_text=True)
    positions = [html.index(f"/listings/{stock[n].id}\"") for n in ("fish", "tea", "shrimp")]
    assert positions == sorted(positions)
    # The buyer's profile is in Cần Thơ: Cà Mau and An Giang are nearer than Thái Nguyên.
    html = client.get("/listings?sort=distance").get_data(as_text=True)
    assert html.index(f"/listings/{stock['tea'].id}\"") > html.index(f"/listings/{stock['shrimp'].id}\"")


@pytest.mark.parametrize("query, field, message", [
    ("?province=Atlantis", "province", "Unknown province."),
    ("?category=weapons", "category", "Unknown category."),
    ("?stars=abc", "stars", "OCOP stars are 0 (none), 3, 4 or 5."),
    ("?certification=iso9999", "certification", "Unknown certification: iso9999."),
    ("?min_price=4.5", "min_price", "Enter a whole number of dong"),
    ("?min_price=500000&max_price=1000", "max_price", "The highest price is below the lowest."),
    ("?sort=cheapest", "sort", "Unknown sort order."),
    ("?q=" + "a" * 101, "q", "At most 100 characters."),
])
def test_bad_filters_show_a_message_on_the_page_with_400(buyer, client, stock, query, field, message):
    response = client.get("/listings" + query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    if field == "q":
        assert message in html
    else:
        assert any(message in error for error in errors_next_to(html, field)), html
    assert shown(html, stock) == set()


def test_page_links_keep_the_filters(buyer, client, user_factory):
    seller = user_factory(role=Role.PRODUCER)
    for n in range(45):
        ListingFactory(producer=seller, title=f"Nước mắm lô {n}", category="food.fish_sauce")
    ListingFactory(producer=seller, title="Gạo", category="food.rice")
    html = client.get("/listings?q=nuoc+mam&category=food").get_data(as_text=True)
    assert "45 listings" in html
    assert 'href="/listings?q=nuoc+mam&amp;category=food&amp;page=2"' in html
    assert 'href="/listings?q=nuoc+mam&amp;category=food&amp;page=3"' in html
    page3 = client.get("/listings?q=nuoc+mam&category=food&page=3").get_data(as_text=True)
    assert page3.count('class="card item"') == 5


def test_catalogue_hides_other_producers_paused_listings_and_suspended_producers(buyer, client, user_factory):
    seller = user_factory(role=Role.PRODUCER)
    banned = user_factory(role=Role.PRODUCER, status=UserStatus.SUSPENDED)
    paused = ListingFactory(producer=seller, title="Tạm dừng", status=ListingStatus.PAUSED)
    hidden = ListingFactory(producer=banned, title="Của người bị khóa")
    html = client.get("/listings").get_data(as_text=True)
    assert "Tạm dừng" not in html and "Của người bị khóa" not in html
    assert client.get(f"/listings/{paused.id}").status_code == 404
    assert client.get(f"/listings/{hidden.id}").status_code == 404


def test_listing_page_shows_its_facts_to_buyers(buyer, client, stock):
    html = client.get(f"/listings/{stock['fish'].id}").get_data(as_text=True)
    assert "Nước mắm Phú Quốc" in html and "120.000 ₫/kg" in html
    assert "HACCP" in html and "An Giang" in html and "Fish sauce" in html
    assert "/edit" not in html


def test_catalogue_with_20_listings_stays_under_60_kb_with_its_css(buyer, client, user_factory):
    seller = user_factory(role=Role.PRODUCER)
    for n in range(25):
        listing = ListingFactory(producer=seller,
                                 title=f"Nước mắm Phú Quốc 40 độ đạm, chai thủy tinh 500 ml — lô {n}")
        listing.certifications.extend([ListingCertification(code="haccp"), ListingCertification(code="ocop")])
    _db.session.commit()
    html = client.get("/listings").get_data()
    assert html.count(b'class="card item"') == 20
    css = client.get("/static/app.css").get_data()
    assert len(html) + len(css) < 60_000, (len(html), len(css))


def test_catalogue_queries_do_not_grow_with_the_number_of_listings(buyer, client, user_factory, app):
    seller = user_factory(role=Role.PRODUCER)

    def statements_for_catalogue() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(_db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/listings").status_code == 200
        finally:
            event.remove(_db.engine, "before_cursor_execute", listener)
        return len(seen)

    ListingFactory(producer=seller)
    few = statements_for_catalogue()
    for _ in range(15):
        ListingFactory(producer=user_factory(role=Role.PRODUCER))
    assert statements_for_catalogue() == few


def test_every_bad_filter_is_reported_at_once(buyer, client, stock):
    html = client.get("/listings?province=Atlantis&min_price=4.5&sort=cheapest").get_data(as_text=True)
    for field in ("province", "min_price", "sort"):
        assert errors_next_to(html, field), field


def test_a_vietnamese_reader_gets_vietnamese_categories_and_number_grouping(user_factory, auth, client):
    producer = user_factory(email="vi@example.vn", role=Role.PRODUCER, locale="vi")
    ListingFactory(producer=producer, title="Nước mắm", category="food.fish_sauce", quantity=12_000)
    client.delete_cookie("lang")  # a device where no language was chosen: the account's applies
    auth.login("vi@example.vn")
    html = client.get("/listings").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Nước mắm · Cần Thơ" in html and '<optgroup label="Thực phẩm">' in html
    assert "12.000 kg" in client.get("/listings/mine").get_data(as_text=True)
    assert '<optgroup label="Đồ uống">' in client.get("/listings/new").get_data(as_text=True)


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


def test_buyers_see_how_far_a_listing_is_and_whether_its_producer_is_verified(user_factory, auth, client, db):
    from marketplace.core.clock import utcnow

    producer = user_factory(role=Role.PRODUCER)
    producer.profile.verified_at = utcnow()
    db.session.commit()
    ListingFactory(producer=producer, title="Tôm khô", province_code="ca-mau")
    buyer = user_factory(role=Role.DISTRIBUTOR, email="buyer@example.vn")
    buyer.profile.province_code = "can-tho"
    db.session.commit()
    auth.login("buyer@example.vn")
    html = client.get("/listings").get_data(as_text=True)
    assert re.search(r"≈ \d+ km from you", html)
    assert "✓ Verified producer" in html
    km = int(re.search(r"≈ (\d+) km from you", html).group(1))
    assert 50 < km < 250  # Cần Thơ to Cà Mau, centre to centre


def test_a_distributor_opens_the_listing_of_their_match_once_it_is_sold_out(auth, client, producer, distributor,
                                                                             user_factory):
    listing = ListingFactory(producer=producer, title="Gạo ST25 lô cuối", quantity=500)
    order = OrderFactory(distributor=distributor)
    make_match(listing, order, status=MatchStatus.CONFIRMED, quantity=500)
    _db.session.execute(update(Listing).where(Listing.id == listing.id).values(status=ListingStatus.SOLD_OUT))
    _db.session.commit()
    auth.logout()  # this module's producer fixture signs in
    auth.login(distributor.email)
    assert "Gạo ST25 lô cuối" in client.get(f"/listings/{listing.id}").get_data(as_text=True)
    auth.logout()
    auth.login(user_factory(role=Role.DISTRIBUTOR).email)
    assert client.get(f"/listings/{listing.id}").status_code == 404


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
