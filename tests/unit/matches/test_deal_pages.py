"""The deal room on the pages, without JavaScript: terms countered and
accepted through the forms, a direct offer from the board, errors next to their fields."""
from marketplace.core.extensions import db
from marketplace.models import Match, MatchStatus
from tests.support.auth import AuthActions, csrf_token_from
from tests.support.match_data import make_match


def browser(app, user):
    client = app.test_client()
    client.set_cookie("lang", "en")
    AuthActions(client).login(user.email)
    return client


def test_the_parties_negotiate_and_confirm_through_the_forms(app, producer, distributor, rice):
    match = make_match(*rice, quantity=300)
    buyer, seller = browser(app, distributor), browser(app, producer)
    page = buyer.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "Waiting for both sides to answer" in page and "Proposed price" in page

    wrong = buyer.post(f"/matches/{match.id}/offers", data={
        "csrf_token": csrf_token_from(page), "offer-quantity": "abc", "offer-unit_price": "30.000"})
    assert wrong.status_code == 400 and "Enter a whole number" in wrong.get_data(as_text=True)
    sent = buyer.post(f"/matches/{match.id}/offers", data={
        "csrf_token": csrf_token_from(page), "offer-quantity": "500", "offer-unit_price": "30.000",
        "offer-note": "<b>Lấy thêm</b>"}, follow_redirects=True).get_data(as_text=True)
    assert "Your terms wait for the other side" in sent and "&lt;b&gt;Lấy thêm&lt;/b&gt;" in sent

    offered = seller.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "Accept these terms" in offered
    offer_id = db.session.get(Match, match.id) and offered.split("/offers/")[1].split("/")[0]
    seller.post(f"/matches/{match.id}/offers/{offer_id}/accept", data={"csrf_token": csrf_token_from(offered)})
    after = buyer.get(f"/matches/{match.id}").get_data(as_text=True)
    assert "Waiting for the buyer's answer" in after and "Negotiated. First proposed: 300 kg" in after
    buyer.post(f"/matches/{match.id}/accept", data={"csrf_token": csrf_token_from(after)})
    db.session.expire_all()
    done = db.session.get(Match, match.id)
    assert (done.status, done.quantity, done.unit_price) == (MatchStatus.CONFIRMED, 500, 30000)
    assert producer.profile.phone in buyer.get(f"/matches/{match.id}").get_data(as_text=True)


def test_a_producer_offers_from_the_order_page(app, producer, rice):
    listing, order = rice
    seller = browser(app, producer)
    page = seller.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Offer to supply this order" in page and listing.title in page
    above = seller.post(f"/orders/{order.id}/offer", data={
        "csrf_token": csrf_token_from(page), "supply-listing_id": listing.id, "supply-quantity": "400",
        "supply-unit_price": "40000"})
    assert above.status_code == 400 and "say why in a note" in above.get_data(as_text=True)
    sent = seller.post(f"/orders/{order.id}/offer", data={
        "csrf_token": csrf_token_from(page), "supply-listing_id": listing.id, "supply-quantity": "400",
        "supply-unit_price": "33000"})
    assert sent.status_code == 302 and "/matches/" in sent.location
    made = db.session.scalars(db.select(Match)).one()
    assert (made.source.value, made.status, made.quantity) == ("offer", MatchStatus.PROPOSED, 400)
