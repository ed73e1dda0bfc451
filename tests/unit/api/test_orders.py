"""/api/v1/orders as a distributor and a producer use it."""
import pytest

from marketplace.models import DemandOrder, OrderStatus
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token, order_body
from tests.support.factories import OrderFactory, UserFactory


@pytest.fixture
def distributor(db):
    return UserFactory(role=Role.DISTRIBUTOR, profile__province_code="ho-chi-minh")


@pytest.fixture
def buyer(client, distributor):
    return ApiClient(client, issue_token(distributor))


@pytest.fixture
def seller(client, db):
    return ApiClient(client, issue_token(UserFactory(role=Role.PRODUCER, profile__province_code="can-tho")))


def stored(db, order_id: int) -> DemandOrder:
    db.session.expire_all()
    return db.session.get(DemandOrder, order_id)


def test_a_distributor_posts_an_order_in_tonnes_and_gets_it_back_in_kg(buyer, db):
    response = buyer.post("/orders", json=order_body(required_certifications=["VietGAP", "ocop"]))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["unit"], body["quantity"], body["max_unit_price"]) == ("kg", 3000, 35_000)
    assert body["delivery_province"] == "ho-chi-minh"
    assert body["required_certifications"] == ["ocop", "vietgap"]
    assert body["status"] == "open" and body["open_quantity"] == 3000 and body["allow_split"] is True
    assert body["distributor"]["province"] == "ho-chi-minh"
    assert stored(db, body["id"]).quantity == 3000


def test_optional_fields_take_the_services_defaults(buyer):
    body = order_body()
    for optional in ("description", "needed_by", "min_stars", "required_certifications", "allow_split"):
        body.pop(optional)
    created = buyer.post("/orders", json=body).get_json()
    assert (created["min_stars"], created["required_certifications"], created["allow_split"],
            created["needed_by"], created["description"]) == (0, [], True, None, "")


def test_producers_see_the_demand_board_with_filters(buyer, seller, distributor, db):
    OrderFactory(distributor=distributor, title="Cần mua nước mắm", category="food.fish_sauce",
                 delivery_province_code="ha-noi", max_unit_price=90_000, min_stars=0)
    OrderFactory(distributor=distributor, title="Cần mua gạo", category="food.rice",
                 delivery_province_code="ho-chi-minh", max_unit_price=35_000, min_stars=4)
    OrderFactory(distributor=distributor, title="Đã huỷ", status=OrderStatus.CANCELLED)

    def titles(query=""):
        response = seller.get(f"/orders?{query}")
        assert response.status_code == 200, response.get_json()
        return {item["title"] for item in response.get_json()["items"]}

    assert titles() == {"Cần mua nước mắm", "Cần mua gạo"}
    assert titles("q=can mua nuoc mam") == {"Cần mua nước mắm"}
    assert titles("province=Sài Gòn") == {"Cần mua gạo"}
    assert titles("province=Bình Dương") == {"Cần mua gạo"}         # joined Hồ Chí Minh City in 2025
    assert titles("province=ha noi") == {"Cần mua nước mắm"}
    assert titles("category=food.rice&max_price=40000") == {"Cần mua gạo"}
    assert titles("min_stars=3") == {"Cần mua nước mắm"}            # orders a 3-star producer can serve
    assert [i["title"] for i in seller.get("/orders?sort=price_asc").get_json()["items"]] == \
        ["Cần mua gạo", "Cần mua nước mắm"]
    assert {i["title"] for i in buyer.get("/orders?mine=1").get_json()["items"]} == \
        {"Cần mua nước mắm", "Cần mua gạo", "Đã huỷ"}


def test_a_partial_edit_keeps_the_other_fields(buyer, db):
    order = buyer.post("/orders", json=order_body()).get_json()
    response = buyer.patch(f"/orders/{order['id']}", json={"allow_split": False, "min_stars": 5})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["allow_split"], body["min_stars"], body["quantity"]) == (False, 5, 3000)
    assert stored(db, order["id"]).revision == 2


def test_changing_the_unit_of_an_order_needs_the_amounts_again(buyer, db):
    order = buyer.post("/orders", json=order_body()).get_json()
    refused = buyer.patch(f"/orders/{order['id']}", json={"unit": "ta"})
    assert refused.status_code == 422
    assert set(error_of(refused)["fields"]) == {"quantity", "max_unit_price"}
    done = buyer.patch(f"/orders/{order['id']}", json={"unit": "ta", "quantity": 40, "max_unit_price": 3_400_000})
    assert (done.get_json()["quantity"], done.get_json()["max_unit_price"]) == (4000, 34_000)


def test_the_status_of_an_order_is_not_edited_directly(buyer, db):
    order = buyer.post("/orders", json=order_body()).get_json()
    response = buyer.patch(f"/orders/{order['id']}", json={"status": "fulfilled"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"status": "Unknown field."}
    assert stored(db, order["id"]).status is OrderStatus.OPEN


def test_cancelling_keeps_the_order_as_history(buyer, seller, db):
    order = buyer.post("/orders", json=order_body()).get_json()
    assert buyer.delete(f"/orders/{order['id']}").status_code == 204
    assert stored(db, order["id"]).status is OrderStatus.CANCELLED
    assert seller.get(f"/orders/{order['id']}").status_code == 404
    assert buyer.get(f"/orders/{order['id']}").get_json()["status"] == "cancelled"
    assert buyer.delete(f"/orders/{order['id']}").status_code == 409
    assert buyer.patch(f"/orders/{order['id']}", json={"title": "Again"}).status_code == 409
