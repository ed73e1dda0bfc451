"""The API tokens page: each working token with its name, hint, dates and a
revoke button that works at once; nobody sees or revokes another's tokens."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.models import ApiToken
from tests.support.api_client import ApiClient, issue_token
from tests.support.auth import csrf


def test_my_tokens_are_listed_and_one_revoked_stops_working(client, auth, producer, distributor, db):
    token = issue_token(producer, "kho hàng")
    issue_token(distributor, "theirs")
    auth.login(producer.email)
    page = client.get("/auth/tokens")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "kho hàng" in text and token[:10] in text and "theirs" not in text
    assert token not in text and "expires" in text and page.headers["Cache-Control"] == "no-store"
    mine = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "kho hàng"))
    response = client.post(f"/auth/tokens/{mine}/revoke", data={"csrf_token": csrf(client, "/auth/tokens")})
    assert response.status_code == 302
    assert ApiClient(client, token).get("/listings").status_code == 401
    assert "kho hàng" not in client.get("/auth/tokens").get_data(as_text=True)


def test_another_accounts_token_cannot_be_revoked_from_the_page(client, auth, producer, distributor, db):
    theirs = issue_token(distributor, "theirs")
    their_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "theirs"))
    auth.login(producer.email)
    response = client.post(f"/auth/tokens/{their_id}/revoke", data={"csrf_token": csrf(client, "/auth/tokens")})
    assert response.status_code == 404
    assert ApiClient(client, theirs).get("/listings").status_code == 200


def test_revoking_needs_the_forms_csrf_token(client, auth, producer, db):
    token = issue_token(producer)
    auth.login(producer.email)
    token_id = db.session.scalar(select(ApiToken.id))
    assert client.post(f"/auth/tokens/{token_id}/revoke").status_code == 400
    assert ApiClient(client, token).get("/listings").status_code == 200


def test_the_page_needs_a_login(client):
    assert client.get("/auth/tokens").status_code == 302
