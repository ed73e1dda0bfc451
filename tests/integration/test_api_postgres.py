"""The JSON API end to end on a real PostgreSQL: sign up, tokens, listings
and orders with the filters a new user tries, and a constant number of SQL
statements per list request however many rows there are."""
from contextlib import contextmanager

from sqlalchemy import event

from marketplace.core.extensions import db
from marketplace.models import ListingCertification
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, listing_body, order_body
from tests.support.factories import ListingFactory, OrderFactory, UserFactory


def sign_up(api: ApiClient, email: str, role: str, province: str) -> ApiClient:
    response = api.post("/auth/register", json={
        "email": email, "password": "nuoc-mam-2026", "role": role, "display_name": f"HTX {role}",
        "province": province, "phone": "0912 345 678"})
    assert response.status_code == 201, response.get_json()
    token = api.post("/auth/tokens", json={"email": email, "password": "nuoc-mam-2026", "name": "e2e"})
    assert token.status_code == 201
    return api.as_(token.get_json()["token"])


def test_a_producer_and_a_distributor_trade_through_the_api(pg_app, client_for):
    client, _ = client_for(pg_app)
    api = ApiClient(client)
    producer = sign_up(api, "htx@example.vn", "producer", "Sóc Trăng")
    distributor = sign_up(api, "mua@example.vn", "distributor", "Sài Gòn")

    rice = producer.post("/listings", json=listing_body(
        title="Gạo ST25 Sóc Trăng", category="food.rice", unit="tan", quantity=2, min_order_quantity=1,
        unit_price=32_000_000, province="Sóc Trăng", certifications=["vietgap"]))
    assert rice.status_code == 201, rice.get_json()
    sauce = producer.post("/listings", json=listing_body(title="Nước mắm nhĩ", province="Kien Giang"))
    assert sauce.status_code == 201, sauce.get_json()
    rice_id = rice.get_json()["id"]

    def titles(query: str) -> list[str]:
        response = distributor.get(f"/listings?{query}")
        assert response.status_code == 200, response.get_json()
        return [item["title"] for item in response.get_json()["items"]]

    assert titles("province=Soc Trang") == ["Gạo ST25 Sóc Trăng"]          # pre-2025 name, no diacritics
    assert titles("province=Hậu Giang&q=gao st25") == ["Gạo ST25 Sóc Trăng"]
    assert titles("q=NUOC MAM") == ["Nước mắm nhĩ"]
    assert titles("certification=vietgap&unit=kg&max_price=40000") == ["Gạo ST25 Sóc Trăng"]
    assert titles("sort=price_desc") == ["Nước mắm nhĩ", "Gạo ST25 Sóc Trăng"]

    edited = producer.patch(f"/listings/{rice_id}", json={"unit_price": 33_000})
    assert edited.status_code == 200 and edited.get_json()["unit_price"] == 33_000

    order = distributor.post("/orders", json=order_body(delivery_province="Bình Dương"))
    assert order.status_code == 201, order.get_json()
    order_id = order.get_json()["id"]
    board = producer.get("/orders?province=binh duong&q=can mua gao").get_json()
    assert [o["id"] for o in board["items"]] == [order_id]

    refused = distributor.patch(f"/listings/{rice_id}", json={"unit_price": 1})
    assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert producer.delete(f"/orders/{order_id}").status_code == 403
    assert distributor.post("/listings", json=listing_body()).status_code == 403

    assert producer.delete(f"/listings/{rice_id}").status_code == 204
    assert titles("") == ["Nước mắm nhĩ"]
    assert distributor.delete(f"/orders/{order_id}").status_code == 204
    assert distributor.get(f"/orders/{order_id}").get_json()["status"] == "cancelled"


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def grow_to(count: int, existing: int) -> None:
    """Rows of different owners, each listing with a certificate, so any
    per-row load of owner, profile or certificates would show."""
    for n in range(existing, count):
        listing = ListingFactory(producer=UserFactory(role=Role.PRODUCER), title=f"Gạo Sóc Trăng lô {n}",
                                 province_code="can-tho")
        db.session.add(ListingCertification(listing_id=listing.id, code="vietgap"))
        OrderFactory(distributor=UserFactory(role=Role.DISTRIBUTOR), title=f"Cần mua gạo đợt {n}",
                     required_certifications=[])
    db.session.commit()


def test_list_requests_run_the_same_number_of_statements_for_5_or_50_rows(pg_app, client_for):
    client, _ = client_for(pg_app)
    api = sign_up(ApiClient(client), "xem@example.vn", "producer", "Hà Nội")
    paths = ["/listings?per_page=100", "/listings?province=Soc Trang&q=gao&certification=vietgap&per_page=100",
             "/listings?sort=distance&per_page=100", "/orders?per_page=100",
             "/orders?q=can mua&sort=distance&per_page=100"]
    api.get("/listings")  # the token's first use is written once; keep it out of the counts

    def measure(expected_rows: int) -> dict[str, int]:
        counts = {}
        for path in paths:
            with counted_statements() as statements:
                response = api.get(path)
            assert response.status_code == 200, response.get_json()
            assert response.get_json()["total"] == expected_rows, path
            counts[path] = len(statements)
        return counts

    grow_to(5, 0)
    small = measure(5)
    grow_to(50, 5)
    large = measure(50)
    assert large == small
    assert max(small.values()) <= 6, small
