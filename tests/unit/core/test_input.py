"""No 500 on bad input: deep JSON, huge numbers, lone surrogates and NUL bytes
are a 400/422 in the error shape (pages: the error page with a 4xx); ``page``
is bounded; date filters outside 2000..2100 are refused with a message."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from marketplace.models import Listing
from tests.support.api_client import ApiClient, error_of, issue_token, listing_body
from tests.support.auth import csrf

BAD_BODIES = {
    "nested 100,000 deep": (b"[" * 100_000, 400),
    "nested 40 deep": (json.dumps({"title": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}), 400),
    "a 5,000-digit integer": (json.dumps(listing_body()).replace('"quantity": 500', '"quantity": ' + "9" * 5000), 422),
    "an integer over 2^63": (json.dumps(listing_body(quantity=2**64)), 422),
    "a float that overflows": (json.dumps(listing_body()).replace('"quantity": 500', '"quantity": 1e999'), 422),
    "NaN": (json.dumps(listing_body()).replace('"quantity": 500', '"quantity": NaN'), 422),
    "a lone surrogate": (json.dumps(listing_body(title="Gạo \ud800 ST25")), 422),
    "a lone surrogate in a list": (json.dumps(listing_body(certifications=["haccp\udfff"])), 422),
    "a NUL byte": (json.dumps(listing_body(title="Gạo\u0000ST25")), 422),
    "a NUL byte in a key": (json.dumps({**listing_body(), "ti\u0000tle": "x"}), 422),
    "not UTF-8": (b'{"title": "\xff\xfe"}', 400),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_json_bodies_are_a_4xx_in_the_error_shape_and_store_nothing(client, producer, db, case):
    body, status = BAD_BODIES[case]
    api = ApiClient(client, issue_token(producer))
    response = api.post("/listings", data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = error_of(response)
    assert error["code"] in ("bad_request", "invalid")
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 0


@pytest.mark.parametrize("case", ["a 5,000-digit integer", "an integer over 2^63", "a float that overflows", "NaN",
                                  "a lone surrogate", "a NUL byte"])
def test_the_refused_field_is_named(client, producer, case):
    api = ApiClient(client, issue_token(producer))
    body, _status = BAD_BODIES[case]
    response = api.post("/listings", data=body, headers={"Content-Type": "application/json"})
    field = "title" if case in ("a lone surrogate", "a NUL byte") else "quantity"
    assert field in error_of(response)["fields"]


def test_good_unicode_still_passes(client, producer):
    api = ApiClient(client, issue_token(producer))
    assert api.post("/listings", json=listing_body(title="Nước mắm 😀 cá cơm")).status_code == 201


@pytest.mark.parametrize("value", ["Gạo\x00ST25", "Gạo ST25\x00"])
def test_a_nul_byte_in_a_form_is_the_error_page_with_400(client, auth, producer, db, value):
    auth.login(producer.email)
    token = csrf(client, "/listings/new")
    response = client.post("/listings/new", data={"csrf_token": token, "title": value})
    assert response.status_code == 400 and "<html" in response.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 0


@pytest.mark.parametrize("path", ["/listings?q=a%00b", "/api/v1/listings?q=a%00b"])
def test_a_nul_byte_in_a_query_string_is_a_400(client, producer, path):
    response = ApiClient(client, issue_token(producer)).client.get(
        path, headers={"Authorization": f"Bearer {issue_token(producer)}"})
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert error_of(response)["code"] == "bad_request"


HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", ["/listings", "/orders", "/notifications", "/admin/audit", "/admin/users",
                                  "/admin/match-runs"])
def test_a_huge_page_number_on_a_page_is_an_empty_last_page(client, auth, admin, path):
    auth.login(admin.email)
    assert client.get(f"{path}?page={HUGE}").status_code == 200


@pytest.mark.parametrize("path", ["/listings", "/orders", "/notifications", "/admin/audit", "/admin/users"])
def test_a_huge_page_number_in_the_api_is_refused_by_name(client, admin, path):
    response = ApiClient(client, issue_token(admin)).get(f"{path}?page={HUGE}")
    assert response.status_code == 422 and "page" in error_of(response)["fields"]


FAR_DATES = [("since", "0001-01-01"), ("until", "9999-12-31"), ("since", "1999-12-31")]


@pytest.mark.parametrize("field,day", FAR_DATES)
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/exports/matches.csv", "/admin/exports/matches.xlsx"])
def test_far_dates_in_the_api_are_refused_with_a_message(client, admin, path, field, day):
    response = ApiClient(client, issue_token(admin)).get(f"{path}?{field}={day}")
    assert response.status_code == 422
    assert error_of(response)["fields"][field] == "Enter a date between 2000-01-01 and 2100-12-31."


@pytest.mark.parametrize("field,day", FAR_DATES)
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/exports/matches.csv"])
def test_far_dates_on_the_pages_are_refused_with_a_message(client, auth, admin, path, field, day):
    auth.login(admin.email)
    response = client.get(f"{path}?{field}={day}")
    assert response.status_code == 400
    assert "Enter a date between 2000-01-01 and 2100-12-31." in response.get_data(as_text=True)


def test_dates_inside_the_bounds_still_filter(client, admin):
    response = ApiClient(client, issue_token(admin)).get("/admin/audit?since=2000-01-01&until=2100-12-31")
    assert response.status_code == 200
