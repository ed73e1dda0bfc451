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
