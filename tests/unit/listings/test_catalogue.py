"""The catalogue and a listing's page as buyers use them: filters, sorting,
distances, page size, and who may open what."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, update

from marketplace.core.extensions import db as _db
from marketplace.models import Listing, ListingCertification, ListingStatus, MatchStatus
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match
from tests.support.pages import errors_next_to


@pytest.fixture
def producer(user_factory):
    return user_factory(email="htx@example.vn", role=Role.PRODUCER)


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
    auth.login(distributor.email)
    assert "Gạo ST25 lô cuối" in client.get(f"/listings/{listing.id}").get_data(as_text=True)
    auth.logout()
    auth.login(user_factory(role=Role.DISTRIBUTOR).email)
    assert client.get(f"/listings/{listing.id}").status_code == 404
