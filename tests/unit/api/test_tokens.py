"""API tokens: issued for a password, stored hashed, listed without their
secret, revoked at once; suspended accounts and guessing are refused."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from marketplace.core.clock import utcnow
from marketplace.models import ApiToken
from marketplace.models.api_token import hash_token
from marketplace.models.user import Role, UserStatus
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def user(db):
    return UserFactory(email="htx@example.vn", role=Role.PRODUCER)


def tokens_in_db(db) -> list[ApiToken]:
    db.session.expire_all()
    return db.session.scalars(select(ApiToken).order_by(ApiToken.id)).all()


def test_a_password_buys_a_token_that_is_stored_only_as_a_hash(api, user, db):
    response = api.post("/auth/tokens", json={"email": "HTX@example.vn ", "password": DEFAULT_PASSWORD,
                                              "name": "kho hàng"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"token", "id", "name", "hint", "created_at", "expires_at"}
    assert body["token"].startswith("cc_") and body["token"].startswith(body["hint"])
    assert body["name"] == "kho hàng"
    [row] = tokens_in_db(db)
    assert row.token_hash == hash_token(body["token"]) and body["token"] not in row.token_hash
    assert api.as_(body["token"]).get("/listings").status_code == 200


def test_no_session_cookie_is_set_by_the_api(api, user):
    response = api.post("/auth/tokens", json={"email": "htx@example.vn", "password": DEFAULT_PASSWORD})
    assert "Set-Cookie" not in response.headers


def test_a_signed_in_browser_session_does_not_open_the_api(client, auth, api, user):
    assert auth.login("htx@example.vn").status_code == 302
    response = api.get("/listings")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("credentials", [
    {"email": "htx@example.vn", "password": "wrong-password-1"},
    {"email": "nobody@example.vn", "password": DEFAULT_PASSWORD},
])
def test_wrong_credentials_get_no_token(api, user, db, credentials):
    response = api.post("/auth/tokens", json=credentials)
    assert response.status_code == 401
    assert error_of(response) == {"code": "invalid_credentials", "message": "Wrong e-mail or password.",
                                  "fields": {}}
    assert tokens_in_db(db) == []


def test_a_suspended_account_gets_no_token_and_its_tokens_stop_working(api, user, db):
    token = issue_token(user)
    user.status = UserStatus.SUSPENDED
    db.session.commit()
    refused = api.post("/auth/tokens", json={"email": "htx@example.vn", "password": DEFAULT_PASSWORD})
    assert refused.status_code == 401 and "suspended" in error_of(refused)["message"]
    response = api.as_(token).get("/listings")
    assert response.status_code == 401
    assert error_of(response)["code"] == "account_suspended"


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer cc_not-a-token",
                                    "Bearer " + "x" * 5000, "Token cc_abc"])
def test_a_missing_or_unknown_token_is_a_401(api, header):
    response = api.get("/listings", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert error_of(response)["code"] in {"unauthorized", "invalid_token"}


def test_my_tokens_are_listed_newest_first_without_their_secrets(api, user, db):
    first, second = issue_token(user, "một"), issue_token(user, "hai")
    issue_token(UserFactory(), "someone else's")
    response = api.as_(first).get("/auth/tokens")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 2
    assert [t["name"] for t in body["items"]] == ["hai", "một"]
    assert set(body["items"][0]) == {"id", "name", "hint", "created_at", "last_used_at", "expires_at"}
    assert first not in response.get_data(as_text=True) and second not in response.get_data(as_text=True)


def test_a_revoked_token_stops_working_at_once(api, user, db):
    keep, drop = issue_token(user, "keep"), issue_token(user, "drop")
    drop_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "drop"))
    assert api.as_(drop).get("/listings").status_code == 200
    assert api.as_(keep).delete(f"/auth/tokens/{drop_id}").status_code == 204
    response = api.as_(drop).get("/listings")
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_token"
    assert [t["name"] for t in api.as_(keep).get("/auth/tokens").get_json()["items"]] == ["keep"]
    # Revoked is gone: a second revoke finds nothing.
    assert api.as_(keep).delete(f"/auth/tokens/{drop_id}").status_code == 404


def test_a_token_can_revoke_itself(api, user):
    token = issue_token(user)
    token_id = api.as_(token).get("/auth/tokens").get_json()["items"][0]["id"]
    assert api.as_(token).delete(f"/auth/tokens/{token_id}").status_code == 204
    assert api.as_(token).get("/auth/tokens").status_code == 401


def test_another_users_token_cannot_be_revoked_or_seen(api, user, db):
    mine = issue_token(user)
    theirs = issue_token(UserFactory(), "theirs")
    their_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "theirs"))
    response = api.as_(mine).delete(f"/auth/tokens/{their_id}")
    assert response.status_code == 404 and error_of(response)["message"] == "No such token."
    assert api.as_(theirs).get("/listings").status_code == 200


def test_last_use_is_noted_at_most_once_a_minute(api, user, db, monkeypatch):
    token = issue_token(user)
    now = utcnow()
    monkeypatch.setattr("marketplace.api.auth.utcnow", lambda: now)
    api.as_(token).get("/listings")
    [row] = tokens_in_db(db)
    first_use = row.last_used_at
    assert first_use is not None

    monkeypatch.setattr("marketplace.api.auth.utcnow", lambda: now + timedelta(seconds=30))
    api.as_(token).get("/listings")
    assert tokens_in_db(db)[0].last_used_at == first_use

    monkeypatch.setattr("marketplace.api.auth.utcnow", lambda: now + timedelta(seconds=61))
    api.as_(token).get("/listings")
    assert tokens_in_db(db)[0].last_used_at > first_use


def test_a_token_expires_after_api_token_days(app, api, user, db):
    token = issue_token(user)
    listed = api.as_(token).get("/auth/tokens").get_json()["items"][0]
    assert listed["expires_at"].startswith((utcnow() + timedelta(days=90)).date().isoformat())
    [row] = tokens_in_db(db)
    row.created_at = utcnow() - timedelta(days=89, hours=23)
    db.session.commit()
    assert api.as_(token).get("/listings").status_code == 200
    row.created_at = utcnow() - timedelta(days=90, minutes=1)
    db.session.commit()
    response = api.as_(token).get("/listings")
    assert response.status_code == 401 and error_of(response)["code"] == "invalid_token"
    # A shorter setting applies to tokens already issued.
    fresh = issue_token(user)
    app.config["API_TOKEN_DAYS"] = 0.5
    tokens_in_db(db)[-1].created_at = utcnow() - timedelta(hours=13)
    db.session.commit()
    assert api.as_(fresh).get("/listings").status_code == 401


def test_a_password_change_revokes_every_token(client, auth, api, user):
    token = issue_token(user)
    assert api.as_(token).get("/listings").status_code == 200
    auth.login("htx@example.vn")
    response = client.post("/auth/password", data={
        "csrf_token": auth.csrf("/auth/password"), "current_password": DEFAULT_PASSWORD,
        "password": "nuoc-mam-ca-com-2027", "confirm": "nuoc-mam-ca-com-2027"})
    assert response.status_code == 302
    assert api.as_(token).get("/listings").status_code == 401
    again = api.post("/auth/tokens", json={"email": "htx@example.vn", "password": "nuoc-mam-ca-com-2027"})
    assert again.status_code == 201


def test_an_account_holds_at_most_twenty_working_tokens(api, user, db):
    tokens = [issue_token(user) for _ in range(20)]
    response = api.post("/auth/tokens", json={"email": "htx@example.vn", "password": DEFAULT_PASSWORD})
    assert response.status_code == 422
    assert error_of(response)["message"].startswith("You have 20 working API tokens")
    assert len(tokens_in_db(db)) == 20
    # Revoking one (or one expiring) makes room again.
    token_id = api.as_(tokens[0]).get("/auth/tokens").get_json()["items"][-1]["id"]
    assert api.as_(tokens[1]).delete(f"/auth/tokens/{token_id}").status_code == 204
    assert api.post("/auth/tokens", json={"email": "htx@example.vn", "password": DEFAULT_PASSWORD}
                    ).status_code == 201


class TestThrottling:
    @pytest.fixture
    def app_overrides(self):
        return {"LOGIN_FAILURES_BEFORE_DELAY": 3, "LOGIN_RATE_LIMIT_PER_IP": "6 per minute"}

    def ask(self, api, email, password="wrong-password-1"):
        return api.post("/auth/tokens", json={"email": email, "password": password})

    def test_failures_on_one_account_are_throttled_even_with_the_right_password_after(self, api, user):
        assert [self.ask(api, "htx@example.vn").status_code for _ in range(3)] == [401, 401, 401]
        response = self.ask(api, "htx@example.vn", DEFAULT_PASSWORD)
        assert response.status_code == 429
        assert error_of(response)["code"] == "rate_limited"

    def test_one_address_trying_many_accounts_is_throttled(self, api):
        statuses = [self.ask(api, f"guess{n}@example.vn").status_code for n in range(7)]
        assert statuses == [401] * 6 + [429]

    def test_successes_do_not_use_up_the_account_budget(self, api, user):
        assert [self.ask(api, "htx@example.vn", DEFAULT_PASSWORD).status_code for _ in range(4)] == [201] * 4
