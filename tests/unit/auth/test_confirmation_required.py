"""With REQUIRE_EMAIL_CONFIRMATION (production's default), an account whose
e-mail is unconfirmed may sign in and look around but not publish or accept
a match, and is told why; once confirmed, it can."""
import pytest

from marketplace.core.clock import utcnow
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token, listing_body, order_body
from tests.support.auth import csrf
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match
from tests.support.pages import listing_form


@pytest.fixture
def app_overrides():
    return {"REQUIRE_EMAIL_CONFIRMATION": True}


def unconfirmed(role):
    return UserFactory(role=role, email_confirmed_at=None)


def test_an_unconfirmed_producer_cannot_publish_until_confirmed(client, db):
    producer = unconfirmed(Role.PRODUCER)
    api = ApiClient(client, issue_token(producer))
    refused = api.post("/listings", json=listing_body())
    assert refused.status_code == 422 and "Confirm your e-mail first" in error_of(refused)["message"]
    producer.email_confirmed_at = utcnow()
    db.session.commit()
    assert api.post("/listings", json=listing_body()).status_code == 201


def test_the_listing_form_says_why(auth, client, db):
    producer = unconfirmed(Role.PRODUCER)
    auth.login(producer.email)
    page = client.post("/listings/new", data={"csrf_token": csrf(client, "/listings/new"), **listing_form()})
    assert page.status_code in (400, 422) and "Confirm your e-mail first" in page.get_data(as_text=True)


def test_an_unconfirmed_distributor_cannot_post_an_order_or_accept_a_match(client, db):
    distributor = unconfirmed(Role.DISTRIBUTOR)
    api = ApiClient(client, issue_token(distributor))
    assert api.post("/orders", json=order_body()).status_code == 422
    match = make_match(ListingFactory(), OrderFactory(distributor=distributor))
    refused = api.post(f"/matches/{match.id}/accept")
    assert refused.status_code == 409 and "Confirm your e-mail first" in error_of(refused)["message"]
    assert api.post(f"/matches/{match.id}/decline", json={"reason": "Hết nhu cầu"}).status_code == 200
