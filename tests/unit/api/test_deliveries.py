"""After the deal: shipments in parts, a partial receipt, figures that add
up, ratings both ways, a reputation the next run uses."""
from datetime import timedelta

from marketplace.core.clock import local_today
from marketplace.matches import lifecycle, runs
from marketplace.models import DemandOrder, Listing, Match, MatchStatus, RunTrigger
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


def api(client, user):
    return ApiClient(client, issue_token(user))


def test_two_shipments_a_partial_receipt_ratings_and_reputation(client, db, rice, producer, distributor):
    listing, order = rice
    match = make_match(listing, order, status=MatchStatus.CONFIRMED, quantity=300)
    seller, buyer = api(client, producer), api(client, distributor)
    today = local_today().isoformat()

    assert buyer.post(f"/matches/{match.id}/shipments", json={"quantity": 10, "shipped_on": today}).status_code == 403
    first = seller.post(f"/matches/{match.id}/shipments", json={"quantity": 150, "shipped_on": today,
                                                                "carrier": "Viettel Post", "tracking": "VTP123"})
    assert first.status_code == 201 and first.get_json()["quantity"] == 150
    too_much = seller.post(f"/matches/{match.id}/shipments", json={"quantity": 151, "shipped_on": today})
    assert too_much.status_code == 422 and "quantity" in error_of(too_much)["fields"]
    assert seller.post(f"/matches/{match.id}/shipments", json={"quantity": 150, "shipped_on": today}).status_code == 201
    shipped = buyer.get(f"/matches/{match.id}").get_json()
    assert (shipped["status"], shipped["shipped_quantity"], len(shipped["shipments"])) == ("shipped", 300, 2)
    assert seller.post(f"/matches/{match.id}/cancel", json={"reason": "Đổi ý"}).status_code == 409

    assert buyer.post(f"/matches/{match.id}/fulfil", json={"received_quantity": 301}).status_code == 422
    done = buyer.post(f"/matches/{match.id}/fulfil", json={"received_quantity": 250}).get_json()
    assert (done["status"], done["received_quantity"]) == ("fulfilled", 250)
    sold = seller.get(f"/listings/{listing.id}").get_json()
    assert (sold["sold_quantity"], sold["revenue"], sold["quantity"], sold["reserved_quantity"]) == (
        250, 250 * listing.unit_price, 1750, 0)
    wanted = buyer.get(f"/orders/{order.id}").get_json()
    assert (wanted["delivered_quantity"], wanted["open_quantity"], wanted["status"]) == (250, 750, "partially_matched")

    assert buyer.post(f"/matches/{match.id}/rating", json={"stars": 6}).status_code == 422
    assert buyer.post(f"/matches/{match.id}/rating", json={"stars": 5, "comment": "Gạo ngon"}).status_code == 201
    assert seller.post(f"/matches/{match.id}/rating", json={"stars": 4}).status_code == 201
    stranger = api(client, UserFactory(role=Role.PRODUCER))
    assert stranger.post(f"/matches/{match.id}/rating", json={"stars": 1}).status_code == 404
    record = stranger.get(f"/users/{producer.id}/reputation").get_json()
    assert (record["rating_average"], record["rating_count"], record["deals_fulfilled"], record["on_time_rate"]) == (
        5.0, 1, 1, 1.0)
    assert record["reliability"] > 0.5


def test_a_later_run_prefers_the_well_rated_producer_to_one_who_cancelled(db, app, producer, distributor):
    careless = UserFactory(role=Role.PRODUCER)
    for seller in (producer, careless):
        past = make_match(ListingFactory(producer=seller, quantity=100, min_order_quantity=1),
                          OrderFactory(distributor=distributor, quantity=100), status=MatchStatus.CONFIRMED)
        if seller is producer:
            lifecycle.fulfil(db.session.get(Match, past.id), distributor)
        else:
            lifecycle.cancel(db.session.get(Match, past.id), careless, "Hết hàng")
    twins = [ListingFactory(producer=seller, quantity=500, available_from=local_today() - timedelta(days=1))
             for seller in (careless, producer)]
    wanted = OrderFactory(distributor=distributor, quantity=500, allow_split=False)
    runs.run_inline(RunTrigger.CLI, category="food.rice")
    [won] = db.session.scalars(db.select(Match).where(Match.order_id == wanted.id)).all()
    assert won.listing_id == twins[1].id and won.breakdown["reliability_part"] > 0.5
    assert db.session.get(Listing, twins[0].id).reserved_quantity == 0
    assert db.session.get(DemandOrder, wanted.id).reserved_quantity == 500


def test_a_shipment_nobody_receives_is_flagged_to_the_admins_not_fulfilled(client, db, rice, producer, admin):
    match = make_match(*rice, status=MatchStatus.CONFIRMED)
    lifecycle.ship(db.session.get(Match, match.id), producer,
                   lifecycle.ShipmentInput(100, local_today() - timedelta(days=20)))
    db.session.get(Match, match.id).shipped_at -= timedelta(days=20)
    db.session.commit()
    board = api(client, admin).get("/admin/dashboard").get_json()
    assert board["moderation"]["receipts_overdue"] == 1
    assert db.session.get(Match, match.id).status == MatchStatus.SHIPPED


def test_my_listings_show_what_was_sold_and_earned(auth, client, db, rice, producer, distributor):
    listing, order = rice
    match = make_match(listing, order, status=MatchStatus.CONFIRMED, quantity=300)
    lifecycle.fulfil(db.session.get(Match, match.id), distributor, 200)
    auth.login(producer.email)
    page = client.get("/listings/mine").get_data(as_text=True)
    assert "Sold</dt><dd>200 kg" in page and "6.400.000 ₫" in page


def test_a_review_shows_on_the_producers_listing_until_an_admin_hides_it(app, db, rice, producer, distributor, admin):
    from sqlalchemy import select

    from marketplace.core.audit import AuditLog
    from marketplace.matches import ratings
    from marketplace.models import Notification
    from tests.support.auth import AuthActions, csrf_token_from

    listing, order = rice
    match = make_match(listing, order, status=MatchStatus.CONFIRMED)
    lifecycle.fulfil(db.session.get(Match, match.id), distributor)
    review = ratings.rate(db.session.get(Match, match.id), distributor, 1, "<b>Hàng kém</b> lừa đảo")
    reader = app.test_client()
    reader.set_cookie("lang", "en")
    AuthActions(reader).login(UserFactory(role=Role.DISTRIBUTOR).email)
    page = reader.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "&lt;b&gt;Hàng kém&lt;/b&gt; lừa đảo" in page and "Hide this review" not in page

    staff = app.test_client()
    staff.set_cookie("lang", "en")
    AuthActions(staff).login(admin.email)
    token = csrf_token_from(staff.get(f"/listings/{listing.id}").get_data(as_text=True))
    empty = staff.post(f"/admin/ratings/{review.id}/hide", data={"csrf_token": token, "reason": " "})
    assert empty.status_code == 302 and db.session.get(type(review), review.id).hidden_at is None
    staff.post(f"/admin/ratings/{review.id}/hide", data={"csrf_token": token, "reason": "Lời lẽ xúc phạm",
                                                        "next": f"/listings/{listing.id}"})
    assert "lừa đảo" not in reader.get(f"/listings/{listing.id}").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(AuditLog.action).where(AuditLog.action == "rating.hidden")) == "rating.hidden"
    told = db.session.scalars(select(Notification.kind).where(Notification.user_id == distributor.id)).all()
    assert "rating.hidden" in told


def test_an_admin_hides_an_abusive_review_through_the_api(client, db, rice, producer, distributor, admin):
    from marketplace.matches import ratings
    from marketplace.models import Notification

    match = make_match(*rice, status=MatchStatus.CONFIRMED)
    lifecycle.fulfil(db.session.get(Match, match.id), distributor)
    review = ratings.rate(db.session.get(Match, match.id), distributor, 1, "Đồ lừa đảo")
    staff, reader = api(client, admin), api(client, UserFactory(role=Role.DISTRIBUTOR))
    assert reader.get(f"/users/{producer.id}/reputation").get_json()["rating_count"] == 1

    assert error_of(staff.post(f"/admin/ratings/{review.id}/hide", json={}))["fields"]
    hidden = staff.post(f"/admin/ratings/{review.id}/hide", json={"reason": "Lời lẽ xúc phạm"})
    assert hidden.status_code == 200 and hidden.get_json()["hidden_reason"] == "Lời lẽ xúc phạm"
    assert staff.post(f"/admin/ratings/{review.id}/hide", json={"reason": "Lần nữa"}).status_code == 409
    assert staff.post("/admin/ratings/999999/hide", json={"reason": "Không có"}).status_code == 404
    assert reader.get(f"/users/{producer.id}/reputation").get_json()["rating_count"] == 0
    told = db.session.scalars(db.select(Notification.kind).where(Notification.user_id == distributor.id)).all()
    assert "rating.hidden" in told


def test_a_producers_review_of_the_buyer_shows_on_the_buyers_orders(auth, client, db, rice, producer, distributor):
    from marketplace.matches import ratings

    listing, order = rice
    match = make_match(listing, order, status=MatchStatus.CONFIRMED)
    lifecycle.fulfil(db.session.get(Match, match.id), distributor)
    ratings.rate(db.session.get(Match, match.id), producer, 5, "Thanh toán đúng hẹn")
    other = OrderFactory(distributor=distributor)
    auth.login(UserFactory(role=Role.PRODUCER).email)
    page = " ".join(client.get(f"/orders/{other.id}").get_data(as_text=True).split())
    assert "What producers say about this buyer" in page and "Thanh toán đúng hẹn" in page
    assert "5.0★ from 1 rating, 1 deal delivered" in page
