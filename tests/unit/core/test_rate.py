"""Write limits per account: one account cannot create listings, orders or
webhook endpoints without end (429 with a message, nothing stored), others
are not slowed, and a burst of listings still schedules one match run."""
import pytest
from sqlalchemy import func, select

from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage
from marketplace.models import DemandOrder, Listing, WebhookEndpoint
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token, listing_body, order_body
from tests.support.auth import AuthActions
from tests.support.factories import UserFactory


@pytest.fixture
def app_overrides():
    return {"LISTING_RATE_LIMIT": "3 per hour", "ORDER_RATE_LIMIT": "2 per hour", "WEBHOOK_RATE_LIMIT": "3 per hour",
            "WEBHOOK_ALLOW_HTTP_LOCALHOST": True}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def api_as(client, role):
    return ApiClient(client, issue_token(UserFactory(role=role)))


def test_listings_beyond_the_rate_are_refused_and_not_stored(client, db):
    seller = api_as(client, Role.PRODUCER)
    statuses = [seller.post("/listings", json=listing_body()).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    refused = seller.post("/listings", json=listing_body())
    assert error_of(refused)["code"] == "rate_limited"
    assert "many listings in a short time" in error_of(refused)["message"]
    assert count(Listing) == 3
    # Another producer is not slowed down by the first one.
    assert api_as(client, Role.PRODUCER).post("/listings", json=listing_body()).status_code == 201


def test_a_refused_listing_does_not_use_the_budget(client, db):
    seller = api_as(client, Role.PRODUCER)
    for _ in range(3):
        assert seller.post("/listings", json=listing_body(quantity=-1)).status_code == 422
    assert [seller.post("/listings", json=listing_body()).status_code for _ in range(3)] == [201] * 3


def test_the_listing_form_answers_429_with_the_message(app, client, db):
    from marketplace.core.rate import count_write

    producer = UserFactory(role=Role.PRODUCER, email="p@example.vn")
    for _ in range(3):
        count_write("LISTING_RATE_LIMIT", "listing-create", producer.id)
    auth = AuthActions(client)
    auth.login("p@example.vn")
    page = client.post("/listings/new", data={"csrf_token": auth.csrf("/listings/new"), "title": "Gạo"})
    assert page.status_code == 429
    assert "many listings in a short time" in page.get_data(as_text=True)


def test_orders_beyond_the_rate_are_refused(client, db):
    buyer = api_as(client, Role.DISTRIBUTOR)
    assert [buyer.post("/orders", json=order_body()).status_code for _ in range(3)] == [201, 201, 429]
    assert count(DemandOrder) == 2


def test_adding_and_removing_webhooks_share_one_budget(client, db):
    owner = api_as(client, Role.PRODUCER)
    first = owner.post("/webhooks", json={"url": "http://127.0.0.1:9/a"})
    assert first.status_code == 201, first.get_json()
    assert owner.delete(f"/webhooks/{first.get_json()['id']}").status_code == 204
    assert owner.post("/webhooks", json={"url": "http://127.0.0.1:9/b"}).status_code == 201
    refused = owner.post("/webhooks", json={"url": "http://127.0.0.1:9/c"})
    assert refused.status_code == 429 and error_of(refused)["code"] == "rate_limited"
    assert count(WebhookEndpoint) == 2


def test_a_burst_of_listings_schedules_one_match_run_per_category(client, db, app):
    app.config["LISTING_RATE_LIMIT"] = "100 per hour"
    seller = api_as(client, Role.PRODUCER)
    for _ in range(10):
        assert seller.post("/listings", json=listing_body()).status_code == 201
    db.session.expire_all()
    runs = db.session.scalars(select(OutboxMessage).where(OutboxMessage.task == "matching.category_changed")).all()
    assert len(runs) == 1
