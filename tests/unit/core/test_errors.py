"""Errors are pages for browsers and the one JSON shape under /api."""


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "does not exist" in response.get_data(as_text=True)


def test_api_errors_use_the_json_error_shape(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.is_json
    error = response.get_json()["error"]
    assert error["code"] == "not_found" and error["message"] and error["fields"] == {}


def test_wrong_method_is_405_not_500(client):
    assert client.get("/auth/logout").status_code == 405


def test_health_endpoint_checks_the_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_a_wrong_method_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/units")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_times_in_the_api_carry_their_offset_even_on_sqlite(app, client, user_factory):
    from tests.support.api_client import ApiClient, issue_token

    producer = user_factory()
    from tests.support.factories import ListingFactory
    ListingFactory(producer=producer)
    api = ApiClient(client, issue_token(producer))
    created = api.get("/listings").get_json()["items"][0]["created_at"]
    assert created.endswith("+00:00") or created.endswith("Z"), created
