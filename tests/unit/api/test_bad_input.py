"""Bad input to the listings and orders API: always a 4xx in the one error
shape, naming the field, with nothing stored, and never a 500."""
import pytest
from sqlalchemy import select

from marketplace.models import DemandOrder, Listing
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token, listing_body, order_body
from tests.support.factories import UserFactory

LISTINGS = {"path": "/listings", "body": listing_body, "model": Listing, "role": Role.PRODUCER,
            "price": "unit_price", "province": "province", "certifications": "certifications",
            "reversed_dates": ({"available_from": "2030-05-01", "available_until": "2030-04-01"},
                               "available_until")}
ORDERS = {"path": "/orders", "body": order_body, "model": DemandOrder, "role": Role.DISTRIBUTOR,
          "price": "max_unit_price", "province": "delivery_province",
          "certifications": "required_certifications",
          "reversed_dates": ({"needed_by": "2001-01-01"}, "needed_by")}


@pytest.fixture(params=[LISTINGS, ORDERS], ids=["listings", "orders"])
def kind(request):
    return request.param


@pytest.fixture
def owner(client, db, kind):
    return ApiClient(client, issue_token(UserFactory(role=kind["role"])))


@pytest.fixture
def existing(owner, kind) -> int:
    response = owner.post(kind["path"], json=kind["body"]())
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def snapshot(db, kind) -> list[tuple]:
    """Every stored row of the resource, in full, to prove nothing changed."""
    db.session.expire_all()
    model = kind["model"]
    rows = db.session.scalars(select(model).order_by(model.id)).all()
    return [tuple(getattr(row, column.key) for column in model.__table__.columns) for row in rows]


def bad_bodies(kind) -> list[tuple[dict, str]]:
    """(fields to send, the field the error must name)."""
    price, province, certifications = kind["price"], kind["province"], kind["certifications"]
    dates, date_field = kind["reversed_dates"]
    minimum = {"min_order_quantity": 1} if kind is LISTINGS else {}
    return [
        ({"quantity": 0}, "quantity"),
        ({"quantity": -5}, "quantity"),
        ({"quantity": 1.0001}, "quantity"),               # not a whole number of base units
        ({"quantity": "10"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": 10**30}, "quantity"),
        ({price: 0}, price),
        ({price: 1.5}, price),
        ({price: "abc"}, price),
        ({price: -1000}, price),
        ({"unit": "tan", "quantity": 1, price: 1_500, **minimum}, price),    # 1.5 dong per kg
        (dates, date_field),
        ({"needed_by" if kind is ORDERS else "available_from": "31/12/2030"},
         "needed_by" if kind is ORDERS else "available_from"),
        ({"category": "weapons.guns"}, "category"),
        ({"category": "food"}, "category"),                 # a group, not a sub-category
        ({province: "Atlantis"}, province),
        ({"unit": "gallon"}, "unit"),
        ({certifications: ["iso9999"]}, certifications),
        ({certifications: "vietgap"}, certifications),      # a list is expected
        ({"title": "x" * 121}, "title"),
        ({"title": "x" * 100_000}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"description": "x" * 2001}, "description"),
        ({"colour": "red"}, "colour"),
        ({"id": 99}, "id"),                                   # read-only fields are not input
        ({"stars" if kind is LISTINGS else "min_stars": 2}, "stars" if kind is LISTINGS else "min_stars"),
    ]


def test_each_bad_field_is_refused_by_name_on_create(owner, kind, db):
    for changes, field in bad_bodies(kind):
        before = snapshot(db, kind)
        response = owner.post(kind["path"], json=kind["body"](**changes))
        assert response.status_code == 422, (changes, response.get_json())
        error = error_of(response)
        assert error["code"] == "invalid"
        assert field in error["fields"], (changes, error)
        assert snapshot(db, kind) == before, changes


def test_each_bad_field_is_refused_by_name_on_edit(owner, kind, existing, db):
    for changes, field in bad_bodies(kind):
        before = snapshot(db, kind)
        response = owner.patch(f"{kind['path']}/{existing}", json=changes)
        assert response.status_code == 422, (changes, response.get_json())
        assert field in error_of(response)["fields"], changes
        assert snapshot(db, kind) == before, changes


def test_missing_required_fields_are_each_named(owner, kind):
    response = owner.post(kind["path"], json={})
    assert response.status_code == 422
    assert {"title", "category", "unit", "quantity", kind["price"], kind["province"]} == \
        set(error_of(response)["fields"])
    assert error_of(response)["fields"]["title"] == "This field is required."


def test_a_bad_certificate_object_names_the_nested_field(owner, kind, db):
    if kind is ORDERS:
        response = owner.post("/orders", json=order_body(required_certifications=["vietgap", 7]))
        assert set(error_of(response)["fields"]) == {"required_certifications.1"}
        return
    response = owner.post("/listings", json=listing_body(certifications=[
        {"code": "vietgap", "expires_on": "soon", "issuer": "me"}]))
    assert response.status_code == 422
    assert set(error_of(response)["fields"]) == {"certifications.0.expires_on", "certifications.0.issuer"}


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("data, content_type, status, code", [
    ('{"title": "Gạo", ', "application/json", 400, "bad_request"),
    ("", "application/json", 400, "bad_request"),
    ("\xff\xfe", "application/json; charset=latin-1", 400, "bad_request"),
    ("title=Gạo&quantity=5", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"title": "Gạo"}', "text/plain", 415, "unsupported_media_type"),
    (None, None, 415, "unsupported_media_type"),
    ("[]", "application/json", 422, "invalid"),
    ('"a string"', "application/json", 422, "invalid"),
    ("42", "application/json", 422, "invalid"),
    ("null", "application/json", 422, "invalid"),
], ids=["malformed", "empty", "undecodable", "form", "text", "no-body", "array", "string", "number", "null"])
def test_a_body_that_is_not_a_json_object_is_refused(owner, kind, existing, db, method, data, content_type,
                                                     status, code):
    before = snapshot(db, kind)
    path = kind["path"] if method == "POST" else f"{kind['path']}/{existing}"
    headers = {"Content-Type": content_type} if content_type else {}
    response = owner.call(method, path, data=data, headers=headers)
    assert response.status_code == status, response.get_data(as_text=True)
    assert error_of(response)["code"] == code
    assert snapshot(db, kind) == before


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("raw_id", ["abc", "0", "-1", "1.5", "999999", "2147483648", "99999999999999999999999"])
def test_an_id_that_names_nothing_is_a_404(owner, kind, existing, db, method, raw_id):
    before = snapshot(db, kind)
    response = owner.call(method, f"{kind['path']}/{raw_id}", json={"title": "x"})
    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"
    assert snapshot(db, kind) == before


@pytest.mark.parametrize("query, field", [
    ("page=abc", "page"), ("page=0", "page"), ("page=1.5", "page"), ("page=99999999999999999999", "page"),
    ("per_page=x", "per_page"), ("per_page=0", "per_page"), ("per_page=101", "per_page"),
    ("min_price=abc", "min_price"), ("max_price=-1", "max_price"), ("min_price=10000000000000000", "min_price"),
    ("min_stars=1.5", "min_stars"), ("mine=perhaps", "mine"), ("q=" + "x" * 101, "q"),
])
def test_query_parameters_that_are_not_valid_are_named(owner, kind, query, field):
    response = owner.get(f"{kind['path']}?{query}")
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_per_page_above_100_is_refused_not_clamped(owner, kind):
    response = owner.get(f"{kind['path']}?per_page=101")
    assert error_of(response)["fields"] == {"per_page": "Enter a whole number from 1 to 100."}
    assert owner.get(f"{kind['path']}?per_page=100").get_json()["per_page"] == 100


def test_unknown_query_parameters_are_ignored(owner, kind):
    assert owner.get(f"{kind['path']}?utm_source=zalo").status_code == 200


def test_messages_follow_accept_language(owner, kind):
    response = owner.post(kind["path"], json=kind["body"](quantity=0), headers={"Accept-Language": "vi"})
    assert response.status_code == 422
    assert error_of(response)["fields"]["quantity"] != "Enter a whole number greater than zero."
