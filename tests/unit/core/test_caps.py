"""Caps on live objects per account: past MAX_LIVE_LISTINGS or
MAX_LIVE_ORDERS a write is refused with a clear 422 and nothing is stored;
removing or cancelling one makes room again."""
import pytest
from sqlalchemy import func, select

from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token, listing_body, order_body
from tests.support.factories import UserFactory


@pytest.fixture
def app_overrides():
    return {"MAX_LIVE_LISTINGS": 2, "MAX_LIVE_ORDERS": 2}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_producer_past_the_cap_is_told_and_removing_one_makes_room(client, db):
    seller = ApiClient(client, issue_token(UserFactory(role=Role.PRODUCER)))
    first, second = (seller.post("/listings", json=listing_body()) for _ in range(2))
    refused = seller.post("/listings", json=listing_body())
    assert (first.status_code, second.status_code, refused.status_code) == (201, 201, 422)
    assert "at most 2 listings" in error_of(refused)["message"]
    assert count(Listing) == 2
    assert seller.delete(f"/listings/{first.get_json()['id']}").status_code in (200, 204)
    assert seller.post("/listings", json=listing_body()).status_code == 201


def test_a_distributor_past_the_cap_is_told_and_cancelling_one_makes_room(client, db):
    buyer = ApiClient(client, issue_token(UserFactory(role=Role.DISTRIBUTOR)))
    first, _second = (buyer.post("/orders", json=order_body()) for _ in range(2))
    refused = buyer.post("/orders", json=order_body())
    assert refused.status_code == 422 and "at most 2 open orders" in error_of(refused)["message"]
    assert count(DemandOrder) == 2
    assert buyer.delete(f"/orders/{first.get_json()['id']}").status_code in (200, 204)
    assert buyer.post("/orders", json=order_body()).status_code == 201
