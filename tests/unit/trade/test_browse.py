"""The catalogue and the demand board: filters, search, sorting, paging."""
from datetime import date, timedelta

import pytest

from marketplace.core.validation import InvalidInput
from marketplace.listings.search import ListingFilters, browse_listings, producer_listings
from marketplace.models import ListingCertification, ListingStatus, OrderRequiredCertification
from marketplace.models.user import Role, UserStatus
from marketplace.orders.search import OrderFilters, browse_orders
from tests.support.factories import ListingFactory, OrderFactory

TODAY = date(2026, 11, 29)


def titles(page):
    return [item.title for item in page.items]


@pytest.fixture
def producer(user_factory):
    return user_factory(role=Role.PRODUCER)


def test_text_search_ignores_diacritics_and_case(producer):
    ListingFactory(producer=producer, title="Nước mắm Phú Quốc 40 độ đạm", category="food.fish_sauce")
    ListingFactory(producer=producer, title="Mắm tôm Hậu Lộc", category="food.spices_sauces")
    assert titles(browse_listings(ListingFilters(q="nuoc mam"), TODAY)) == ["Nước mắm Phú Quốc 40 độ đạm"]
    assert titles(browse_listings(ListingFilters(q="NƯỚC MẮM phu quoc"), TODAY)) == \
        ["Nước mắm Phú Quốc 40 độ đạm"]
    assert len(browse_listings(ListingFilters(q="mam"), TODAY).items) == 2
    assert browse_listings(ListingFilters(q="100%_"), TODAY).total == 0


def test_province_filter_accepts_pre_2025_names(producer):
    ListingFactory(producer=producer, title="Tôm khô", province_code="ca-mau")
    ListingFactory(producer=producer, title="Gạo", province_code="can-tho")
    assert titles(browse_listings(ListingFilters(province="Bạc Liêu"), TODAY)) == ["Tôm khô"]
    assert titles(browse_listings(ListingFilters(province="soc trang"), TODAY)) == ["Gạo"]


def test_category_group_stars_price_and_certification_filters(producer, db):
    tea = ListingFactory(producer=producer, title="Chè Tân Cương", category="beverages.tea", stars=5,
                         unit_price=400_000)
    ListingFactory(producer=producer, title="Cà phê Cầu Đất", category="beverages.coffee", stars=3,
                   unit_price=250_000)
    ListingFactory(producer=producer, title="Gạo", category="food.rice", stars=4, unit_price=30_000)
    tea.certifications.append(ListingCertification(code="vietgap", expires_on=TODAY + timedelta(days=1)))
    db.session.commit()

    assert set(titles(browse_listings(ListingFilters(category="beverages"), TODAY))) == \
        {"Cà phê Cầu Đất", "Chè Tân Cương"}
    assert titles(browse_listings(ListingFilters(min_stars=4, category="beverages"), TODAY)) == ["Chè Tân Cương"]
    assert titles(browse_listings(ListingFilters(min_price=200_000, max_price=300_000), TODAY)) == \
        ["Cà phê Cầu Đất"]
    assert titles(browse_listings(ListingFilters(certification="vietgap"), TODAY)) == ["Chè Tân Cương"]
    # The day after the certificate expires, it counts nowhere.
    assert browse_listings(ListingFilters(certification="vietgap"), TODAY + timedelta(days=2)).total == 0


def test_only_sellable_listings_of_active_producers_are_shown(producer, user_factory):
    suspended = user_factory(role=Role.PRODUCER, status=UserStatus.SUSPENDED)
    ListingFactory(producer=producer, title="Đang bán")
    ListingFactory(producer=producer, title="Nháp", status=ListingStatus.DRAFT)
    ListingFactory(producer=producer, title="Tạm dừng", status=ListingStatus.PAUSED)
    ListingFactory(producer=producer, title="Đã hứa hết", quantity=100, reserved_quantity=100)
    ListingFactory(producer=producer, title="Hết hạn", available_until=TODAY - timedelta(days=1))
    ListingFactory(producer=suspended, title="Của người bị khóa")
    assert titles(browse_listings(ListingFilters(), TODAY)) == ["Đang bán"]
    mine = producer_listings(producer, ListingFilters(), TODAY)
    assert mine.total == 5


def test_sorting_by_price_and_by_distance_from_me(producer):
    ListingFactory(producer=producer, title="Hà Nội", province_code="ha-noi", unit_price=30_000)
    ListingFactory(producer=producer, title="Cần Thơ", province_code="can-tho", unit_price=20_000)
    ListingFactory(producer=producer, title="Đà Nẵng", province_code="da-nang", unit_price=25_000)
    assert titles(browse_listings(ListingFilters(sort="price_asc"), TODAY)) == ["Cần Thơ", "Đà Nẵng", "Hà Nội"]
    assert titles(browse_listings(ListingFilters(sort="price_desc"), TODAY)) == ["Hà Nội", "Đà Nẵng", "Cần Thơ"]
    near_hanoi = browse_listings(ListingFilters(sort="distance"), TODAY, viewer_province="bac-ninh")
    assert titles(near_hanoi) == ["Hà Nội", "Đà Nẵng", "Cần Thơ"]


def test_pagination_covers_every_row_once(producer):
    for n in range(45):
        ListingFactory(producer=producer, title=f"Lô {n:02d}", unit_price=10_000)
    seen, page_number = [], 1
    while True:
        page = browse_listings(ListingFilters(sort="price_asc"), TODAY, page=page_number, per_page=20)
        seen += titles(page)
        assert page.total == 45 and page.pages == 3
        if not page.has_next:
            break
        page_number += 1
    assert sorted(seen) == sorted(f"Lô {n:02d}" for n in range(45))
    assert browse_listings(ListingFilters(), TODAY, per_page=1000).per_page == 100


@pytest.mark.parametrize("filters, field", [
    (ListingFilters(category="nope"), "category"),
    (ListingFilters(province="Narnia"), "province"),
    (ListingFilters(certification="iso1"), "certification"),
    (ListingFilters(min_price=50, max_price=10), "max_price"),
    (ListingFilters(sort="random"), "sort"),
    (ListingFilters(q="x" * 101), "q"),
])
def test_bad_filters_name_the_field(filters, field):
    with pytest.raises(InvalidInput) as error:
        browse_listings(filters, TODAY)
    assert field in error.value.fields


def test_demand_board_shows_open_orders_with_their_filters(user_factory, db):
    buyer = user_factory(role=Role.DISTRIBUTOR)
    wants_tea = OrderFactory(distributor=buyer, title="Cần mua chè", category="beverages.tea",
                             delivery_province_code="ha-noi", min_stars=5, max_unit_price=500_000)
    OrderFactory(distributor=buyer, title="Cần mua gạo", min_stars=3)
    OrderFactory(distributor=buyer, title="Đã đủ", status="matched")
    wants_tea.required_certifications.append(OrderRequiredCertification(code="organic"))
    db.session.commit()

    assert set(titles(browse_orders(OrderFilters(), TODAY))) == {"Cần mua chè", "Cần mua gạo"}
    with pytest.raises(InvalidInput):
        browse_orders(OrderFilters(province="Hà Tây"), TODAY)  # merged in 2008, not one of the 63
    assert titles(browse_orders(OrderFilters(province="ha noi"), TODAY)) == ["Cần mua chè"]
    # A 4-star producer only sees demand it can serve.
    assert titles(browse_orders(OrderFilters(min_stars=4), TODAY)) == ["Cần mua gạo"]
    assert titles(browse_orders(OrderFilters(certification="organic"), TODAY)) == ["Cần mua chè"]
    assert titles(browse_orders(OrderFilters(q="CAN MUA CHE"), TODAY)) == ["Cần mua chè"]
    assert titles(browse_orders(OrderFilters(sort="price_desc"), TODAY))[0] == "Cần mua chè"
