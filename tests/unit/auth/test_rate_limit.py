import pytest

from tests.support.factories import DEFAULT_PASSWORD


@pytest.fixture
def app_overrides():
    return {"LOGIN_RATE_LIMIT_PER_ACCOUNT": "3 per minute", "LOGIN_FAILURES_BEFORE_DELAY": 3,
            "LOGIN_RATE_LIMIT_PER_IP": "6 per minute"}


def test_repeated_failures_on_one_account_make_this_client_wait(auth, user_factory):
    """The owner elsewhere is not locked out: tests/unit/auth/test_throttle.py."""
    user_factory(email="a@example.vn")
    statuses = [auth.login("a@example.vn", "wrong-password-1").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    # The right password from this same client waits too.
    response = auth.login("a@example.vn")
    assert response.status_code == 429
    assert "Too many wrong passwords" in response.get_data(as_text=True)


def test_one_ip_trying_many_accounts_is_throttled(auth, user_factory):
    statuses = [auth.login(f"guess{n}@example.vn", "wrong-password-1").status_code for n in range(7)]
    assert statuses[:6] == [400] * 6
    assert statuses[6] == 429


def test_successful_logins_do_not_use_up_the_account_budget(auth, user_factory):
    user_factory(email="a@example.vn")
    for _ in range(4):
        assert auth.login("a@example.vn").status_code == 302
        auth.logout()


def test_one_address_cannot_create_accounts_without_end(app, auth, db):
    from marketplace.models import User

    app.config["REGISTRATION_RATE_LIMIT"] = "3 per hour"
    statuses = []
    for n in range(4):
        statuses.append(auth.register(email=f"spam{n}@example.vn").status_code)
        auth.logout()
    assert statuses == [302, 302, 302, 429]
    assert db.session.query(User).count() == 3


def test_oversized_bodies_are_refused_before_they_are_read(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = client.post("/auth/login", data={"email": "a@example.vn", "password": "x" * 20_000})
    assert response.status_code == 413
    api = client.post("/api/v1/listings", data="{" + '"title": "' + "x" * 20_000 + '"}',
                      content_type="application/json")
    assert api.status_code == 413
    assert api.get_json()["error"]["code"] == "too_large"


def test_guessing_the_current_password_on_the_change_form_is_throttled(client, auth, user_factory):
    user_factory(email="a@example.vn")
    auth.login("a@example.vn")

    def change(current):
        return client.post("/auth/password", data={
            "csrf_token": auth.csrf("/auth/password"), "current_password": current,
            "password": "nuoc-mam-ca-com-2027", "confirm": "nuoc-mam-ca-com-2027"}).status_code

    assert [change("wrong-password-1") for _ in range(4)] == [400, 400, 400, 429]
    # The right one waits too, and the password is unchanged.
    assert change(DEFAULT_PASSWORD) == 429
    auth.logout()
    assert auth.login("a@example.vn").status_code == 302
