"""On two phones: the producer ships a confirmed deal in two parts, the
buyer receives 250 of 300 and rates the producer, the producer rates the
buyer, and the listing counts what was sold."""
from __future__ import annotations

from playwright.sync_api import expect

from marketplace.core.extensions import db
from marketplace.models import Listing, Match, MatchStatus, Rating
from marketplace.models.user import Role
from tests.e2e.test_deal_in_browser import fits_the_screen, signed_in
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


def ship(page, quantity: str, carrier: str = "") -> None:
    page.get_by_text("Record a shipment").click()
    page.get_by_label("Quantity shipped").fill(quantity)
    if carrier:
        page.get_by_label("Carrier (optional)").fill(carrier)
    page.get_by_role("button", name="Record the shipment").click()
    expect(page.get_by_text("The shipment is recorded; the buyer is told.")).to_be_visible()


def test_shipped_in_two_parts_received_in_part_and_rated(live_server, chromium):
    with live_server.app.app_context():
        producer = UserFactory(email="htx.mam@example.vn", role=Role.PRODUCER, locale="en")
        distributor = UserFactory(email="sieuthi@example.vn", role=Role.DISTRIBUTOR, locale="en")
        listing = ListingFactory(producer=producer, quantity=2000, unit_price=32_000)
        match_id = make_match(listing, OrderFactory(distributor=distributor, quantity=1000),
                              status=MatchStatus.CONFIRMED, quantity=300).id
        listing_id = listing.id
    seller_context, seller = signed_in(chromium, live_server.url, "htx.mam@example.vn")
    buyer_context, buyer = signed_in(chromium, live_server.url, "sieuthi@example.vn")
    try:
        seller.goto(f"{live_server.url}/matches/{match_id}")
        ship(seller, "150", carrier="Viettel Post")
        ship(seller, "150")
        expect(seller.get_by_text("Shipped 300 of 300 kg.")).to_be_visible()
        assert fits_the_screen(seller)

        buyer.goto(f"{live_server.url}/matches/{match_id}")
        expect(buyer.get_by_text("Viettel Post")).to_be_visible()
        expect(buyer.get_by_role("button", name="Record the shipment")).to_have_count(0)
        buyer.get_by_label("Quantity received").fill("301")
        buyer.get_by_role("button", name="Confirm receipt").click()
        expect(buyer.locator("#receipt .error, #receipt [role=alert]").first).to_be_visible()
        buyer.get_by_label("Quantity received").fill("250")
        buyer.get_by_role("button", name="Confirm receipt").click()
        expect(buyer.get_by_text("Thank you: the delivery is recorded.")).to_be_visible()
        expect(buyer.get_by_text("Received: 250 kg.")).to_be_visible()
        buyer.get_by_label("Stars").select_option(label="★★★★")
        buyer.get_by_label("Comment (optional)").fill("Giao thiếu 50 kg nhưng hàng tốt")
        buyer.get_by_role("button", name="Send the rating").click()
        expect(buyer.get_by_text("Thank you for your rating.")).to_be_visible()
        expect(buyer.locator("#my-rating")).to_contain_text("★★★★")
        assert fits_the_screen(buyer)

        seller.reload()
        expect(seller.get_by_text("Received: 250 kg.")).to_be_visible()
        expect(seller.get_by_role("heading", name="Rate the buyer")).to_be_visible()
        seller.get_by_role("button", name="Send the rating").click()
        expect(seller.get_by_text("Thank you for your rating.")).to_be_visible()

        seller.goto(f"{live_server.url}/listings/mine")
        card = seller.locator(f"#listing-{listing_id}")
        expect(card).to_contain_text("250 kg")
        expect(card).to_contain_text("8.000.000 ₫")
    finally:
        buyer_context.close()
        seller_context.close()
    with live_server.app.app_context():
        match = db.session.get(Match, match_id)
        assert (match.status, match.shipped_quantity, match.received_quantity) == (MatchStatus.FULFILLED, 300, 250)
        assert db.session.get(Listing, listing_id).sold_quantity == 250
        assert sorted(r.stars for r in db.session.scalars(db.select(Rating).where(Rating.match_id == match_id))) == [4, 5]
