"""Programme staff take down a listing or an order with a reason its owner reads."""
import pytest
from sqlalchemy import select

from marketplace.admin.accounts import takedown
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, WrongState
from marketplace.models import (
    DemandOrder,
    Listing,
    ListingStatus,
    Match,
    MatchStatus,
    Notification,
    OrderStatus,
)
from tests.support.api_client import ApiClient, issue_token
from tests.support.auth import AuthActions, csrf
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match
from tests.support.records import audit_rows, fresh

REASON = "Ảnh sản phẩm không đúng thực tế"


def test_taking_down_a_listing_cancels_its_matches_and_its_owner_sees_why(app, as_admin, admin, producer,
                                                                         distributor, rice):
    listing, order = rice
    other = OrderFactory(distributor=distributor)
    held = make_match(listing, order, status=MatchStatus.APPROVED, quantity=300)
    confirmed = make_match(listing, other, status=MatchStatus.CONFIRMED, quantity=200)
    path = f"/admin/users/{producer.id}"

    empty = as_admin.post(f"/admin/listings/{listing.id}/takedown", data={"csrf_token": csrf(as_admin, path),
                                                                          "reason": " "})
    assert empty.status_code == 400 and "Please give a reason." in empty.get_data(as_text=True)
    assert fresh(Listing, listing.id).status == ListingStatus.ACTIVE

    done = as_admin.post(f"/admin/listings/{listing.id}/takedown", data={"csrf_token": csrf(as_admin, path),
                                                                         "reason": REASON})
    assert done.status_code == 302 and done.location.endswith(path)
    assert "is taken down" in as_admin.get(done.location).get_data(as_text=True)
    row = fresh(Listing, listing.id)
    assert (row.status, row.takedown_reason, row.taken_down_by_id) == (ListingStatus.REMOVED, REASON, admin.id)
    assert row.taken_down_at is not None and row.reserved_quantity == 0
    assert [fresh(Match, m.id).status for m in (held, confirmed)] == [MatchStatus.CANCELLED] * 2
    assert [fresh(DemandOrder, o.id).reserved_quantity for o in (order, other)] == [0, 0]
    [event] = audit_rows("listing.taken_down")
    assert (event.actor_id, event.target_type, event.target_id) == (admin.id, "listing", listing.id)
    assert event.details == {"reason": REASON, "producer_id": producer.id, "listing_title": listing.title,
                             "cancelled_matches": 2}
    assert len(audit_rows("match.cancelled")) == 2
    kinds = db.session.scalars(select(Notification.kind).where(Notification.user_id == producer.id)).all()
    assert "listing.taken_down" in kinds

    owner = app.test_client()
    owner.set_cookie("lang", "en")
    AuthActions(owner).login(producer.email)
    page = owner.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert f"Taken down by the programme staff: {REASON}" in page
    # It stays in "my listings" with the reason and no way to edit it; one the owner removed does not.
    ListingFactory(producer=producer, title="Gạo tự gỡ", status=ListingStatus.REMOVED)
    mine = owner.get("/listings/mine").get_data(as_text=True)
    card = mine[mine.index(f'id="listing-{listing.id}"'):]
    assert f"Taken down by the programme staff: {REASON}" in card
    assert f"/listings/{listing.id}/edit" not in mine and "Gạo tự gỡ" not in mine
    token = csrf(owner, "/listings/mine")
    assert owner.post(f"/listings/{listing.id}/publish", data={"csrf_token": token}).status_code == 409
    assert owner.get(f"/listings/{listing.id}/edit").status_code == 409
    assert fresh(Listing, listing.id).status == ListingStatus.REMOVED
    api = ApiClient(owner, issue_token(producer))
    body = api.get(f"/listings/{listing.id}").get_json()
    assert body["status"] == "removed" and body["takedown_reason"] == REASON and body["taken_down_at"]
    assert api.patch(f"/listings/{listing.id}", json={"status": "active"}).status_code == 409
    # Nobody else finds it any more.
    AuthActions(as_admin).logout()
    AuthActions(as_admin).login(distributor.email)
    assert as_admin.get(f"/listings/{listing.id}").status_code == 404


def test_taking_down_an_order_cancels_it_and_its_owner_sees_why(app, as_admin, admin, distributor, rice):
    listing, order = rice
    held = make_match(listing, order, status=MatchStatus.PROPOSED, quantity=400)
    path = f"/admin/users/{distributor.id}"
    page = as_admin.get(path).get_data(as_text=True)
    assert f'id="order-{order.id}"' in page and "Take down" in page
    done = as_admin.post(f"/admin/orders/{order.id}/takedown", data={"csrf_token": csrf(as_admin, path),
                                                                     "reason": REASON})
    assert done.status_code == 302
    row = fresh(DemandOrder, order.id)
    assert (row.status, row.takedown_reason, row.taken_down_by_id) == (OrderStatus.CANCELLED, REASON, admin.id)
    assert row.reserved_quantity == 0
    assert fresh(Listing, listing.id).reserved_quantity == 0
    assert fresh(Match, held.id).status == MatchStatus.CANCELLED
    [event] = audit_rows("order.taken_down")
    assert (event.actor_id, event.target_id, event.details["reason"]) == (admin.id, order.id, REASON)
    assert "Taken down on" in as_admin.get(path).get_data(as_text=True)

    owner = app.test_client()
    owner.set_cookie("lang", "en")
    AuthActions(owner).login(distributor.email)
    assert f"Taken down by the programme staff: {REASON}" in owner.get(f"/orders/{order.id}").get_data(as_text=True)
    mine = owner.get("/orders/mine").get_data(as_text=True)
    assert f"Taken down by the programme staff: {REASON}" in mine[mine.index(f'id="order-{order.id}"'):]
    body = ApiClient(owner, issue_token(distributor)).get(f"/orders/{order.id}").get_json()
    assert body["status"] == "cancelled" and body["takedown_reason"] == REASON
    assert owner.get(f"/orders/{order.id}/edit").status_code == 409
    assert fresh(DemandOrder, order.id).status == OrderStatus.CANCELLED


def test_a_removed_listing_or_closed_order_cannot_be_taken_down(as_admin, admin, producer, distributor):
    listing = ListingFactory(producer=producer, status=ListingStatus.REMOVED)
    order = OrderFactory(distributor=distributor, status=OrderStatus.FULFILLED)
    with pytest.raises(WrongState):
        takedown.take_down_listing(listing, admin, REASON)
    with pytest.raises(WrongState):
        takedown.take_down_order(order, admin, REASON)
    path = f"/admin/users/{producer.id}"
    refused = as_admin.post(f"/admin/listings/{listing.id}/takedown",
                            data={"csrf_token": csrf(as_admin, path), "reason": REASON})
    assert refused.status_code == 409 and "This listing is already removed." in refused.get_data(as_text=True)
    assert fresh(Listing, listing.id).takedown_reason is None
    live = ListingFactory(producer=producer)
    takedown.take_down_listing(live, admin, REASON)
    with pytest.raises(WrongState):
        takedown.take_down_listing(fresh(Listing, live.id), admin, "again")
    assert fresh(Listing, live.id).takedown_reason == REASON
    with pytest.raises(InvalidInput):
        takedown.take_down_order(OrderFactory(distributor=distributor), admin, "x" * 501)
    assert len(audit_rows("listing.taken_down")) == 1 and audit_rows("order.taken_down") == []
    assert as_admin.post("/admin/orders/999999/takedown",
                         data={"csrf_token": csrf(as_admin, path), "reason": REASON}).status_code == 404
