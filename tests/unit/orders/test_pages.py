"""Demand-order pages as distributors and producers use them: the order
form and its messages, "my orders", cancelling, and the demand board."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace.core.clock import local_today
from marketplace.core.extensions import db as _db
from marketplace.models import DemandOrder, MatchStatus, OrderRequiredCertification, OrderStatus
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match
from tests.support.pages import errors_next_to, order_form, post

TODAY = local_today()


@pytest.fixture
def distributor(user_factory, auth):
    user = user_factory(email="chuoi@example.vn", role=Role.DISTRIBUTOR)
    auth.login("chuoi@example.vn")
    return user


def order_count() -> int:
    return _db.session.scalar(select(func.count()).select_from(DemandOrder))


def test_new_order_form_delivers_to_the_distributors_province_by_default(distributor, client):
    html = client.get("/orders/new").get_data(as_text=True)
    assert 'value="Cần Thơ"' in html
    assert '<optgroup label="Beverages">' in html
    assert 'name="allow_split" type="checkbox" value="y"' in html and "checked" in html


def test_an_order_in_crates_is_stored_per_bottle_and_listed_in_my_orders(distributor, auth, client):
    response = post(auth, "/orders/new", order_form())
    assert response.status_code == 302 and response.location.endswith("/orders/mine")
    order = _db.session.scalars(select(DemandOrder)).one()
    assert (order.unit, order.quantity, order.max_unit_price) == ("bottle", 1200, 100_000)
    assert order.delivery_province_code == "ho-chi-minh" and order.status is OrderStatus.OPEN
    assert order.required_codes == ["haccp", "ocop"] and order.allow_split is True

    html = client.get("/orders/mine").get_data(as_text=True)
    assert "Your order is posted on the demand board." in html
    assert "1,200 bottle" in html and "100.000 ₫/bottle" in html and "Open" in html


def test_an_unticked_split_box_means_one_producer_must_fill_it(distributor, auth):
    post(auth, "/orders/new", order_form(allow_split=None))
    assert _db.session.scalars(select(DemandOrder.allow_split)).one() is False


@pytest.mark.parametrize("changes, field, message", [
    ({"quantity": "0"}, "quantity", "Enter a whole number greater than zero."),
    ({"quantity": "-1"}, "quantity", "Enter a whole number greater than zero."),
    ({"quantity": "1,05"}, "quantity",
     "1.05 crate of 24 bottles is 25.2 bottle: a quantity must come to whole bottle."),
    ({"max_unit_price": "35.5"}, "max_unit_price", "Enter a whole number of dong, without decimals"),
    ({"max_unit_price": "-100"}, "max_unit_price", "Enter a price in whole dong, greater than zero."),
    ({"unit": "tan", "max_unit_price": "1500"}, "max_unit_price", "does not divide into whole dong"),
    ({"needed_by": (TODAY - timedelta(days=1)).isoformat()}, "needed_by", "This date is in the past."),
    ({"needed_by": "tomorrow"}, "needed_by", "Not a valid date value."),
    ({"category": "food.unicorns"}, "category", "Unknown category."),
    ({"unit": "barrel"}, "unit", "Unknown unit."),
    ({"delivery_province": "Gotham"}, "delivery_province", "Unknown province."),
    ({"required_certifications": ["fairtrade"]}, "required_certifications",
     "Unknown certification: fairtrade."),
    ({"min_stars": "6"}, "min_stars", "OCOP stars are 0 (none), 3, 4 or 5."),
    ({"title": ""}, "title", "This field is required."),
    ({"title": "đ" * 121}, "title", "At most 120 characters."),
    ({"description": "x" * 2001}, "description", "At most 2000 characters."),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_stored(distributor, auth, changes, field,
                                                                      message):
    response = post(auth, "/orders/new", order_form(**changes))
    assert response.status_code == 400
    errors = errors_next_to(response.get_data(as_text=True), field)
    assert any(message in error for error in errors), errors
    assert order_count() == 0


def test_html_typed_in_an_order_is_stored_as_typed_and_shown_escaped(distributor, auth, client):
    title = '"><script>alert(1)</script>'
    post(auth, "/orders/new", order_form(title=title, description="<iframe src=//evil>"))
    order = _db.session.scalars(select(DemandOrder)).one()
    assert order.title == title and order.description == "<iframe src=//evil>"
    for path in ("/orders", f"/orders/{order.id}", "/orders/mine", f"/orders/{order.id}/edit"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in html and "<iframe" not in html, path
        assert "&lt;script&gt;" in html, path


def test_the_edit_form_shows_the_order_and_saves_changes(distributor, auth, client):
    order = OrderFactory(distributor=distributor)
    order.required_certifications.append(OrderRequiredCertification(code="vietgap"))
    _db.session.commit()
    html = client.get(f"/orders/{order.id}/edit").get_data(as_text=True)
    assert 'value="35000"' in html and 'value="Hồ Chí Minh"' in html and 'value="vietgap" checked' in html

    response = post(auth, f"/orders/{order.id}/edit", order_form(
        unit="kg", quantity="1500", max_unit_price="36000", required_certifications=[], allow_split=None))
    assert response.status_code == 302
    _db.session.refresh(order)
    assert (order.quantity, order.max_unit_price, order.required_codes, order.allow_split) == \
        (1500, 36_000, [], False)


def test_cancelling_asks_for_confirmation_then_closes_the_order(distributor, auth, client):
    order = OrderFactory(distributor=distributor, title="Cần mua chè")
    assert "Yes, cancel the order" in client.get(f"/orders/{order.id}/cancel").get_data(as_text=True)
    assert post(auth, f"/orders/{order.id}/cancel", {}).status_code == 302
    _db.session.refresh(order)
    assert order.status is OrderStatus.CANCELLED
    assert "Cancelled" in client.get("/orders/mine").get_data(as_text=True)
    # Closed for good: neither cancelled again nor edited.
    assert post(auth, f"/orders/{order.id}/cancel", {}).status_code == 409
    response = post(auth, f"/orders/{order.id}/edit", order_form())
    assert response.status_code == 409
    assert "A fulfilled or cancelled order cannot be edited." in response.get_data(as_text=True)
    _db.session.refresh(order)
    assert order.title == "Cần mua chè"


def test_my_orders_say_what_is_held_for_review_and_what_is_in_confirmed_deals(distributor, client):
    order = OrderFactory(distributor=distributor, quantity=1000, status=OrderStatus.PARTIALLY_MATCHED)
    make_match(ListingFactory(), order, status=MatchStatus.PROPOSED, quantity=150)
    make_match(ListingFactory(), order, status=MatchStatus.CONFIRMED, quantity=250)
    html = client.get("/orders/mine").get_data(as_text=True)
    assert "Partly matched" in html
    assert "Held for review</dt><dd>150 kg" in html and "In confirmed deals</dt><dd>250 kg" in html
    assert "Still wanted</dt><dd>600 kg" in html
    detail = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert detail.count('href="/matches/') >= 2 and "Under review" in detail


# --- the demand board ---------------------------------------------------------

@pytest.fixture
def seller(user_factory, auth):
    user = user_factory(email="seller@example.vn", role=Role.PRODUCER)
    auth.login("seller@example.vn")
    return user


@pytest.fixture
def demand(user_factory):
    buyer = user_factory(role=Role.DISTRIBUTOR)
    fish = OrderFactory(distributor=buyer, title="Cần mua nước mắm", category="food.fish_sauce",
                        delivery_province_code="ca-mau", max_unit_price=150_000, min_stars=4)
    fish.required_certifications.append(OrderRequiredCertification(code="haccp"))
    rice = OrderFactory(distributor=buyer, title="Cần mua gạo", category="food.rice",
                        delivery_province_code="ha-noi", max_unit_price=30_000, min_stars=0)
    _db.session.commit()
    return {"fish": fish, "rice": rice}


def shown(html: str, demand: dict) -> set[str]:
    return {name for name, order in demand.items() if f"/orders/{order.id}\"" in html}


@pytest.mark.parametrize("query, expected", [
    ("", {"fish", "rice"}),
    ("?q=nuoc+mam", {"fish"}),
    ("?province=Bạc+Liêu", {"fish"}),
    ("?category=food.rice", {"rice"}),
    ("?stars=3", {"rice"}),
    ("?stars=5", {"fish", "rice"}),
    ("?certification=haccp", {"fish"}),
    ("?min_price=100000", {"fish"}),
])
def test_board_filters(seller, client, demand, query, expected):
    response = client.get("/orders" + query)
    assert response.status_code == 200
    assert shown(response.get_data(as_text=True), demand) == expected


def test_board_sorts_by_distance_from_the_producer(seller, client, demand):
    # The producer is in Cần Thơ: Cà Mau is nearer than Hà Nội.
    html = client.get("/orders?sort=distance").get_data(as_text=True)
    assert html.index(f"/orders/{demand['fish'].id}\"") < html.index(f"/orders/{demand['rice'].id}\"")


@pytest.mark.parametrize("query, field", [
    ("?province=Narnia", "province"), ("?stars=x", "stars"), ("?max_price=1.5", "max_price"),
    ("?sort=random", "sort"), ("?category=nothing", "category"),
])
def test_bad_board_filters_show_a_message_with_400(seller, client, demand, query, field):
    response = client.get("/orders" + query)
    assert response.status_code == 400
    assert errors_next_to(response.get_data(as_text=True), field)


def test_board_hides_closed_orders_and_suspended_distributors(seller, client, user_factory):
    buyer = user_factory(role=Role.DISTRIBUTOR)
    banned = user_factory(role=Role.DISTRIBUTOR, status=UserStatus.SUSPENDED)
    cancelled = OrderFactory(distributor=buyer, title="Đã hủy", status=OrderStatus.CANCELLED)
    hidden = OrderFactory(distributor=banned, title="Bị khóa")
    html = client.get("/orders").get_data(as_text=True)
    assert "Đã hủy" not in html and "Bị khóa" not in html
    assert client.get(f"/orders/{cancelled.id}").status_code == 404
    assert client.get(f"/orders/{hidden.id}").status_code == 404


def test_order_page_shows_what_is_wanted(seller, client, demand):
    html = client.get(f"/orders/{demand['fish'].id}").get_data(as_text=True)
    assert "Cần mua nước mắm" in html and "150.000 ₫/kg" in html and "Cà Mau" in html and "HACCP" in html
    assert "/edit" not in html


def test_order_form_reports_every_problem_in_one_round(distributor, auth):
    from tests.support.pages import errors_next_to, order_form, post

    response = post(auth, "/orders/new", order_form(max_unit_price="35.5", quantity="-4",
                                                    delivery_province="Narnia"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert errors_next_to(html, "max_unit_price")
    assert errors_next_to(html, "quantity")
    assert errors_next_to(html, "delivery_province")


def test_a_producer_opens_the_order_of_their_match_once_it_is_fully_matched(auth, client, producer, distributor,
                                                                             user_factory):
    # The link on a producer's match page led to "this page does not exist".
    listing = ListingFactory(producer=producer)
    order = OrderFactory(distributor=distributor, title="Cần 1 tấn gạo", quantity=1000)
    make_match(listing, order, status=MatchStatus.CONFIRMED, quantity=1000)
    _db.session.execute(update(DemandOrder).where(DemandOrder.id == order.id).values(status=OrderStatus.MATCHED))
    _db.session.commit()
    auth.logout()  # this module's distributor fixture signs in
    auth.login(producer.email)
    assert "Cần 1 tấn gạo" in client.get(f"/orders/{order.id}").get_data(as_text=True)
    auth.logout()
    auth.login(user_factory(role=Role.PRODUCER).email)
    assert client.get(f"/orders/{order.id}").status_code == 404


def test_an_order_for_one_and_a_half_tonnes_wants_1500_kg(distributor, auth):
    response = post(auth, "/orders/new", order_form(category="food.rice", unit="tan", quantity="1.5",
                                                    max_unit_price="32.000.000", required_certifications=[]))
    assert response.status_code == 302
    order = _db.session.scalars(select(DemandOrder)).one()
    assert (order.unit, order.quantity, order.max_unit_price) == ("kg", 1500, 32_000)
