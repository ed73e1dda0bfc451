"""/api/v1/openapi.json, the public reference data, and the API's errors
staying out of the HTML site's way."""
import pytest
from openapi_spec_validator import validate

from tests.support.api_client import ApiClient, error_of

PUBLIC = {("post", "/api/v1/auth/register"), ("post", "/api/v1/auth/tokens"), ("get", "/api/v1/categories"),
          ("get", "/api/v1/provinces"), ("get", "/api/v1/units"), ("get", "/api/v1/certifications")}


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def spec(api):
    response = api.get("/openapi.json")
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def test_the_document_is_valid_openapi_3(spec):
    validate(spec)
    assert spec["openapi"].startswith("3.")


NOTIFICATION_PATHS = {
    "/api/v1/notifications", "/api/v1/notifications/{notification_id}/read", "/api/v1/notifications/read-all",
    "/api/v1/notifications/preferences", "/api/v1/webhooks", "/api/v1/webhooks/{endpoint_id}",
    "/api/v1/webhooks/{endpoint_id}/enable", "/api/v1/webhooks/{endpoint_id}/deliveries"}

MESSAGE_PATHS = {"/api/v1/matches/{match_id}/messages",
                 "/api/v1/admin/matches/{match_id}/messages/{message_id}/hide"}


def test_every_endpoint_of_the_design_is_described(spec):
    assert set(spec["paths"]) == {
        "/api/v1/auth/register", "/api/v1/auth/tokens", "/api/v1/auth/tokens/{token_id}",
        "/api/v1/listings", "/api/v1/listings/{listing_id}", "/api/v1/orders", "/api/v1/orders/{order_id}",
        "/api/v1/listings/import", "/api/v1/orders/import",
        "/api/v1/categories", "/api/v1/provinces", "/api/v1/units", "/api/v1/certifications",
        "/api/v1/matches", "/api/v1/matches/{match_id}", "/api/v1/matches/{match_id}/accept",
        "/api/v1/matches/{match_id}/decline", "/api/v1/matches/{match_id}/cancel",
        "/api/v1/matches/{match_id}/offers", "/api/v1/matches/{match_id}/offers/{offer_id}/accept",
        "/api/v1/matches/{match_id}/offers/{offer_id}/decline", "/api/v1/orders/{order_id}/offers",
        "/api/v1/listings/{listing_id}/requests", "/api/v1/matches/{match_id}/shipments",
        "/api/v1/matches/{match_id}/rating", "/api/v1/users/{user_id}/reputation",
        "/api/v1/matches/{match_id}/fulfil", "/api/v1/admin/matches", "/api/v1/admin/matches/{match_id}/approve",
        "/api/v1/admin/matches/{match_id}/reject", "/api/v1/admin/match-runs",
        "/api/v1/admin/match-runs/{run_id}", "/api/v1/admin/matches/bulk", "/api/v1/admin/approval-policy",
        "/api/v1/admin/scope", "/api/v1/admin/users", "/api/v1/admin/users/{user_id}", "/api/v1/admin/users/{user_id}/verify",
        "/api/v1/admin/users/{user_id}/suspend", "/api/v1/admin/users/{user_id}/reinstate",
        "/api/v1/admin/listings/{listing_id}/takedown", "/api/v1/admin/orders/{order_id}/takedown",
        "/api/v1/admin/ratings/{rating_id}/hide",
        "/api/v1/listings/{listing_id}/photos", "/api/v1/listings/{listing_id}/photos/{photo_id}",
        "/api/v1/admin/dashboard", "/api/v1/admin/exports/matches.csv", "/api/v1/admin/exports/unmet-demand.csv",
        "/api/v1/admin/exports/matches.xlsx", "/api/v1/admin/exports/unmet-demand.xlsx",
        "/api/v1/admin/audit", "/api/v1/listings/{listing_id}/lots", "/api/v1/lots/{lot_id}",
        "/api/v1/lots/{lot_id}/epcis", *NOTIFICATION_PATHS, *MESSAGE_PATHS}
    assert set(spec["paths"]["/api/v1/listings/{listing_id}"]) == {"get", "patch", "delete", "parameters"}


def test_protected_operations_declare_the_bearer_scheme_and_public_ones_do_not(spec):
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/auth/tokens."}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if (method, path) in PUBLIC:
                assert "security" not in operation, (method, path)
            else:
                assert operation["security"] == [{"bearerAuth": []}], (method, path)
                assert "401" in operation["responses"], (method, path)


def test_bodies_come_from_the_validating_schemas(spec):
    schemas = spec["components"]["schemas"]
    listing_in = schemas["ListingIn"]
    assert listing_in["additionalProperties"] is False
    assert {"title", "category", "unit", "quantity", "unit_price", "province"} == set(listing_in["required"])
    assert listing_in["properties"]["title"]["maxLength"] == 120
    quantity = listing_in["properties"]["quantity"]   # 1.5 (tấn) is a quantity too
    assert (quantity["type"], quantity["minimum"], quantity["exclusiveMinimum"]) == ("number", 0, True)
    assert "required" not in schemas["ListingPatch"]
    assert schemas["ListingPatch"]["properties"]["status"]["enum"] == ["active", "paused"]
    assert set(schemas["ListingPage"]["properties"]) == {"items", "page", "per_page", "total"}
    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
    per_page = next(p for p in spec["paths"]["/api/v1/listings"]["get"]["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == 100


def test_reference_data_is_public_and_speaks_the_callers_language(api):
    units = api.get("/units").get_json()
    tan = next(u for u in units if u["code"] == "tan")
    assert (tan["name"], tan["base"], tan["factor"]) == ("tonne", "kg", 1000)
    assert next(u for u in api.get("/units", headers={"Accept-Language": "vi"}).get_json()
                if u["code"] == "tan")["name"] == "tấn"
    provinces = api.get("/provinces").get_json()
    assert len(provinces) == 34
    can_tho = next(p for p in provinces if p["code"] == "can-tho")
    assert {"Sóc Trăng", "Hậu Giang"} <= {f["name"] for f in can_tho["former_provinces"]}
    categories = api.get("/categories").get_json()
    assert {"code", "name", "subcategories"} <= set(categories[0])
    assert {c["code"] for c in api.get("/certifications").get_json()} == \
        {"vietgap", "globalgap", "organic", "haccp", "iso22000", "ocop"}


def test_api_routing_errors_use_the_error_shape(api):
    assert error_of(api.get("/nothing-here"))["code"] == "not_found"
    wrong_method = api.call("PUT", "/listings")
    assert wrong_method.status_code == 405 and error_of(wrong_method)["code"] == "method_not_allowed"


def test_the_html_sites_errors_stay_html(client):
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and missing.content_type.startswith("text/html")
    wrong_method = client.get("/auth/logout")
    assert wrong_method.status_code == 405 and wrong_method.content_type.startswith("text/html")


def test_the_html_forms_keep_their_csrf_protection(client):
    response = client.post("/auth/login", data={"email": "a@example.vn", "password": "x"})
    assert response.status_code == 400
    assert response.content_type.startswith("text/html")


def test_fixed_vocabularies_are_listed_so_clients_need_not_guess(spec):
    from marketplace.reference.certifications import CERTIFICATIONS

    listing = spec["components"]["schemas"]["ListingIn"]["properties"]
    assert "food.fish_sauce" in listing["category"]["enum"]
    order = spec["components"]["schemas"]["OrderIn"]["properties"]
    assert order["required_certifications"]["items"]["enum"] == [c.code for c in CERTIFICATIONS]
    filters = {p["name"]: p for p in spec["paths"]["/api/v1/listings"]["get"]["parameters"]}
    assert "food" in filters["category"]["schema"]["enum"]  # a whole group is a valid filter
