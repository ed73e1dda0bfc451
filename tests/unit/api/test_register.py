"""POST /api/v1/auth/register: the sign-up page's rules, no token, no session."""
import pytest
from sqlalchemy import func, select

from marketplace.models import ApiToken, User
from marketplace.models.user import ProfileKind, Role
from tests.support.api_client import ApiClient, error_of


@pytest.fixture
def api(client):
    return ApiClient(client)


def signup(**changes) -> dict:
    body = {"email": "HTX.Muoi@Example.vn", "password": "nuoc-mam-2026", "role": "producer",
            "display_name": "HTX Muối Bạc Liêu", "province": "Bạc Liêu", "phone": "+84 912.345.678",
            "ocop_certificate_no": "OCOP-BL-0001"}
    body.update(changes)
    return body


def users(db) -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_a_producer_signs_up_and_gets_its_account_back(api, db):
    response = api.post("/auth/register", json=signup())
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "id": response.get_json()["id"], "email": "htx.muoi@example.vn", "role": "producer",
        "display_name": "HTX Muối Bạc Liêu", "province": "ca-mau", "phone": "0912345678", "locale": "en"}
    assert "Set-Cookie" not in response.headers
    user = db.session.scalar(select(User))
    assert user.profile.kind is ProfileKind.HOUSEHOLD and user.profile.ocop_certificate_no == "OCOP-BL-0001"
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_the_language_of_the_request_becomes_the_accounts(api, db):
    api.post("/auth/register", json=signup(), headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    assert db.session.scalar(select(User)).locale == "vi"


def test_a_distributor_keeps_no_ocop_number_and_may_choose_a_kind(api, db):
    response = api.post("/auth/register", json=signup(role="distributor", kind="company"))
    assert response.status_code == 201
    user = db.session.scalar(select(User))
    assert user.role is Role.DISTRIBUTOR and user.profile.kind is ProfileKind.COMPANY
    assert user.profile.ocop_certificate_no is None


@pytest.mark.parametrize("changes, field", [
    ({"role": "admin"}, "role"),
    ({"email": "not-an-email"}, "email"),
    ({"password": "short1"}, "password"),
    ({"password": "aaaaaaaaaaaa"}, "password"),
    ({"password": "htx.muoi-2026"}, "password"),              # contains the e-mail's name
    ({"password": 12345678901}, "password"),
    ({"phone": "12345"}, "phone"),
    ({"province": "Atlantis"}, "province"),
    ({"display_name": "X"}, "display_name"),
    ({"kind": "empire"}, "kind"),
    ({"ocop_certificate_no": "x" * 61}, "ocop_certificate_no"),
    ({"token": "please"}, "token"),
])
def test_bad_sign_ups_name_the_field_and_create_nobody(api, db, changes, field):
    response = api.post("/auth/register", json=signup(**changes))
    assert response.status_code == 422, response.get_json()
    assert field in error_of(response)["fields"]
    assert users(db) == 0


def test_an_email_is_registered_once_whatever_its_case(api, db):
    assert api.post("/auth/register", json=signup()).status_code == 201
    response = api.post("/auth/register", json=signup(email="htx.muoi@EXAMPLE.VN"))
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"email": "An account with this e-mail already exists."}
    assert users(db) == 1


def test_a_new_account_can_get_a_token_and_list(api):
    api.post("/auth/register", json=signup())
    token = api.post("/auth/tokens", json={"email": "htx.muoi@example.vn", "password": "nuoc-mam-2026"})
    assert token.status_code == 201
    assert api.as_(token.get_json()["token"]).get("/listings?mine=1").get_json()["total"] == 0
