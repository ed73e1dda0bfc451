"""POST /api/v1/listings/import and /orders/import: all or nothing, every
problem named by the sheet's row and the API's field name."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.models import DemandOrder, Listing
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import UserFactory
from tests.support.sheets import csv_bytes, upload, xlsx_bytes

LISTING_ROWS = [
    ["title", "category", "unit", "quantity", "unit_price", "province"],
    ["Gạo ST25", "food.rice", "tan", 2, 31_000_000, "Cần Thơ"],
    ["Mật ong", "food.honey", "l", 100, 300_000, "Tuyên Quang"],
]


def api_as(client, role):
    return ApiClient(client, issue_token(UserFactory(role=role)))


def post_file(api, path, data, name="rows.xlsx"):
    return api.post(path, data={"file": upload(data, name)}, content_type="multipart/form-data")


def count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def test_a_producer_imports_listings_with_the_api_field_names(client, db):
    producer = api_as(client, Role.PRODUCER)
    checked = post_file(producer, "/listings/import?dry_run=1", xlsx_bytes(LISTING_ROWS))
    assert checked.status_code == 200 and checked.get_json() == {"rows": 2, "created": 0, "errors": []}
    assert count(db, Listing) == 0
    done = post_file(producer, "/listings/import", xlsx_bytes(LISTING_ROWS))
    assert done.status_code == 201 and done.get_json() == {"rows": 2, "created": 2, "errors": []}
    assert sorted(db.session.scalars(select(Listing.quantity))) == [100, 2000]


def test_a_file_with_a_bad_row_stores_nothing_and_lists_each_problem(client, db):
    rows = [*LISTING_ROWS, ["Chè", "beverages.tea", "kg", -3, 1.5, "Atlantis"]]
    response = post_file(api_as(client, Role.PRODUCER), "/listings/import", xlsx_bytes(rows))
    assert response.status_code == 422 and count(db, Listing) == 0
    body = response.get_json()
    assert body["error"]["code"] == "invalid_rows" and body["created"] == 0
    assert {(e["row"], e["field"]) for e in body["errors"]} == {(4, "quantity"), (4, "unit_price"), (4, "province")}


def test_orders_import_reads_a_vietnamese_csv(client, db):
    distributor = api_as(client, Role.DISTRIBUTOR)
    rows = [["Tên", "category", "unit", "quantity", "max_unit_price", "delivery_province", "allow_split"],
            ["Cần gạo", "food.rice", "kg", "1.500", "32.000", "Hà Nội", "không"]]
    refused = post_file(distributor, "/orders/import", csv_bytes(rows, ";"), "orders.csv")
    assert refused.status_code == 422 and "Tên" in error_of(refused)["fields"]["file"]
    rows[0][0] = "Tên sản phẩm"   # the template's Vietnamese header
    done = post_file(distributor, "/orders/import", csv_bytes(rows, ";"), "orders.csv")
    assert done.status_code == 201, done.get_json()
    order = db.session.scalars(select(DemandOrder)).one()
    assert (order.quantity, order.max_unit_price, order.allow_split) == (1500, 32_000, False)


def test_the_wrong_role_and_the_wrong_body_are_refused(client, db):
    distributor = api_as(client, Role.DISTRIBUTOR)
    assert post_file(distributor, "/listings/import", xlsx_bytes(LISTING_ROWS)).status_code == 403
    producer = api_as(client, Role.PRODUCER)
    as_json = producer.post("/listings/import", json={"rows": []})
    assert as_json.status_code == 415
    missing = producer.post("/listings/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "file" in error_of(missing)["fields"]
    assert count(db, Listing) == 0


def test_the_document_describes_the_upload(client):
    spec = ApiClient(client).get("/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/listings/import"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "dry_run" in {p["name"] for p in operation["parameters"]}
