"""The deal room through the API, as the black-box client walks it: holds
under review, counter-offers, confirmation, contacts; direct offers; strangers kept out."""
from marketplace.matches import lifecycle
from marketplace.models import DemandOrder, Listing, Match, MatchStatus
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import UserFactory
from tests.support.match_data import make_match


def api(client, user):
    return ApiClient(client, issue_token(user))


def test_a_negotiated_deal_from_review_to_contacts(client, db, rice, producer, distributor, admin):
    listing, order = rice
    producer.profile.address = "Ấp 3, xã Mỹ Khánh"
    db.session.commit()
    match = make_match(listing, order, status=MatchStatus.PROPOSED, quantity=300)
    seller, buyer = api(client, producer), api(client, distributor)

    listed = seller.get("/matches").get_json()["items"]
    assert [(m["id"], m["status"], m["source"]) for m in listed] == [(match.id, "proposed", "run")]
    assert seller.get(f"/matches/{match.id}").get_json()["contact"] is None
    assert seller.post(f"/matches/{match.id}/offers", json={"quantity": 300, "unit_price": 1}).status_code == 409

    lifecycle.approve(db.session.get(Match, match.id), admin)
    too_much = buyer.post(f"/matches/{match.id}/offers", json={"quantity": 5000, "unit_price": 30000})
    assert too_much.status_code == 409 and error_of(too_much)["code"] == "conflict"
    assert buyer.get(f"/matches/{match.id}/offers").get_json() == []

    offer = buyer.post(f"/matches/{match.id}/offers", json={"quantity": 500, "unit_price": 30000,
                                                            "deliver_by": "2030-01-15", "note": "Lấy thêm"})
    assert offer.status_code == 201
    body = offer.get_json()
    assert (body["quantity"], body["unit_price"], body["status"], body["by"]) == (500, 30000, "open", "distributor")
    assert buyer.post(f"/matches/{match.id}/offers/{body['id']}/accept").status_code == 403

    accepted = seller.post(f"/matches/{match.id}/offers/{body['id']}/accept").get_json()
    assert (accepted["quantity"], accepted["unit_price"], accepted["deliver_by"], accepted["negotiated"]) == (
        500, 30000, "2030-01-15", True)
    assert accepted["proposed_terms"]["quantity"] == 300 and accepted["status"] == "approved"
    confirmed = buyer.post(f"/matches/{match.id}/accept").get_json()
    assert confirmed["status"] == "confirmed"
    contact = buyer.get(f"/matches/{match.id}").get_json()["contact"]
    assert contact["producer"]["phone"] == producer.profile.phone
    assert contact["producer"]["address"] == "Ấp 3, xã Mỹ Khánh"
    assert contact["producer"]["zalo_url"] == "https://zalo.me/84" + producer.profile.phone[1:]
    assert (db.session.get(Listing, listing.id).reserved_quantity,
            db.session.get(DemandOrder, order.id).reserved_quantity) == (500, 500)

    stranger = api(client, UserFactory(role=Role.DISTRIBUTOR))
    assert stranger.get(f"/matches/{match.id}").status_code == 404
    assert stranger.get(f"/matches/{match.id}/offers").status_code == 404


def test_a_producer_offers_to_supply_an_open_order_and_the_admin_approves_it(client, rice, producer, admin):
    listing, order = rice
    made = api(client, producer).post(f"/orders/{order.id}/offers",
                                      json={"listing_id": listing.id, "quantity": 400, "unit_price": 33000})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["source"], body["status"], body["quantity"]) == ("offer", "proposed", 400)
    approved = api(client, admin).post(f"/admin/matches/{body['id']}/approve")
    assert approved.get_json()["status"] == "approved"
    wrong = api(client, producer).post(f"/orders/{order.id}/offers",
                                       json={"listing_id": listing.id, "quantity": "many", "unit_price": 1})
    assert wrong.status_code == 422 and "quantity" in error_of(wrong)["fields"]


def test_a_distributor_asks_for_a_listing(client, rice, distributor):
    listing, order = rice
    made = api(client, distributor).post(f"/listings/{listing.id}/requests",
                                         json={"order_id": order.id, "quantity": 600})
    assert made.status_code == 201 and made.get_json()["unit_price"] == listing.unit_price
    again = api(client, distributor).post(f"/listings/{listing.id}/requests",
                                          json={"order_id": order.id, "quantity": 100})
    assert again.status_code == 409
