"""The parties' match pages: what a producer or distributor sees of a match
and the buttons that answer it, through the real forms and CSRF tokens."""
import pytest

from marketplace.core.extensions import db
from marketplace.models import Listing, Match, MatchStatus
from marketplace.models.user import Role
from tests.support.auth import csrf_token_from
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


@pytest.fixture
def approved(rice):
    return make_match(*rice)


def post(client, match, action, path=None, **data):
    page = client.get(path or f"/matches/{match.id}").get_data(as_text=True)
    data["csrf_token"] = csrf_token_from(page)
    return client.post(f"/matches/{match.id}/{action}", data=data)


def status_of(match):
    db.session.expire_all()
    return db.session.get(Match, match.id).status


def test_a_distributor_sees_the_approved_proposal_explained_and_accepts_it(auth, client, distributor,
                                                                            producer, approved, rice):
    auth.login(distributor.email)
    page = client.get("/matches").get_data(as_text=True)
    assert rice[0].title in page and producer.display_name in page
    assert "9% under your maximum price" in page
    assert "≈ 85 km from the producer to the delivery province" in page
    assert "3.200.000 ₫" in page  # 100 kg at 32.000 ₫
    assert "Answer by" in page
    detail = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "Accept" in detail and "Decline" in detail
    response = post(client, approved, "accept")
    assert response.status_code == 302 and response.location.endswith(f"/matches/{approved.id}")
    after = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "You accepted this match" in after and "waiting for the other side" in after
    assert status_of(approved) == MatchStatus.APPROVED


def test_both_accept_then_the_distributor_confirms_receipt(auth, client, producer, distributor, approved):
    auth.login(producer.email)
    post(client, approved, "accept")
    auth.logout()
    auth.login(distributor.email)
    post(client, approved, "accept")
    assert status_of(approved) == MatchStatus.CONFIRMED
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "the match is confirmed" in page and "Confirm receipt" in page
    post(client, approved, "fulfil")
    assert status_of(approved) == MatchStatus.FULFILLED


def test_declining_releases_the_listings_quantity(auth, client, producer, approved, rice):
    auth.login(producer.email)
    response = post(client, approved, "decline", **{"decline-reason": "Hết hàng loại này"})
    assert response.status_code == 302
    assert status_of(approved) == MatchStatus.DECLINED
    assert db.session.get(Listing, rice[0].id).reserved_quantity == 0
    assert "its quantity is free again" in client.get(response.location).get_data(as_text=True)


def test_cancelling_needs_a_reason(auth, client, distributor, approved):
    auth.login(distributor.email)
    response = post(client, approved, "cancel", **{"cancel-reason": ""})
    assert response.status_code == 400
    assert "Please give a reason." in response.get_data(as_text=True)
    assert status_of(approved) == MatchStatus.APPROVED
    post(client, approved, "cancel", **{"cancel-reason": "Đổi kế hoạch"})
    assert status_of(approved) == MatchStatus.CANCELLED


def test_an_action_in_the_wrong_state_is_a_message_not_an_error(auth, client, distributor, approved):
    auth.login(distributor.email)
    response = post(client, approved, "fulfil")
    assert response.status_code == 302
    assert "reload the page" in client.get(response.location).get_data(as_text=True)


def test_a_post_without_csrf_changes_nothing(auth, client, distributor, approved):
    auth.login(distributor.email)
    client.post(f"/matches/{approved.id}/accept", data={})
    assert db.session.get(Match, approved.id).distributor_accepted_at is None


def test_another_producers_match_is_not_found(auth, client, approved):
    other = UserFactory(role=Role.PRODUCER)
    auth.login(other.email)
    assert client.get(f"/matches/{approved.id}").status_code == 404
    assert client.post(f"/matches/{approved.id}/accept",
                       data={"csrf_token": auth.csrf("/matches")}).status_code == 404
    assert "No matches yet" in client.get("/matches").get_data(as_text=True)


def test_a_proposal_under_review_is_shown_read_only_with_its_hold(auth, client, producer, distributor, rice):
    proposed = make_match(*rice, status=MatchStatus.PROPOSED, quantity=150)
    auth.login(producer.email)
    page = client.get(f"/matches/{proposed.id}").get_data(as_text=True)
    assert "Under review by the programme staff" in page and "Under review until" in page
    assert f"/matches/{proposed.id}/accept" not in page and "Propose other terms" not in page
    assert distributor.profile.phone not in page                  # no contact before confirmation
    assert rice[0].title in client.get("/matches").get_data(as_text=True)
    listing_page = client.get(f"/listings/{rice[0].id}").get_data(as_text=True)
    assert "Held for review</dt><dd>150 kg" in listing_page


def test_a_confirmed_match_shows_the_other_party_contact_and_zalo(auth, client, producer, distributor, rice):
    confirmed = make_match(*rice, status=MatchStatus.CONFIRMED)
    auth.login(producer.email)
    page = client.get(f"/matches/{confirmed.id}").get_data(as_text=True)
    phone = distributor.profile.phone
    assert f'href="tel:{phone}"' in page and f'href="https://zalo.me/84{phone[1:]}"' in page
    assert distributor.email in page and "Agreed price" in page


def test_the_matches_link_is_in_the_menu(auth, client, producer):
    auth.login(producer.email)
    assert 'href="/matches"' in client.get("/matches").get_data(as_text=True)


def test_an_admin_cannot_open_the_parties_list(auth, client, admin):
    auth.login(admin.email)
    assert client.get("/matches").status_code == 403


def test_the_list_costs_a_fixed_number_of_queries(auth, client, producer, distributor, app):
    from sqlalchemy import event
    for _ in range(5):
        make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor))
    auth.login(distributor.email)
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get("/matches").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    match_queries = [s for s in statements if "matches" in s]
    assert len(match_queries) == 2  # the page and its count


def test_an_unmatched_order_says_why(auth, client, producer, distributor):
    ListingFactory(producer=producer, unit_price=40000)
    order = OrderFactory(distributor=distributor, max_unit_price=30000)
    auth.login(distributor.email)
    page = client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Why this order is not (fully) matched yet" in page
    assert "1 listing of this category is 33 % above your maximum price" in page
    auth.logout()
    auth.login(producer.email)
    assert "Why this order" not in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_matched_order_needs_no_hint(auth, client, distributor, approved, rice):
    order = rice[1]
    make_match(ListingFactory(producer=rice[0].producer), order, quantity=800)
    auth.login(distributor.email)
    assert "Why this order" not in client.get(f"/orders/{order.id}").get_data(as_text=True)


def test_a_listing_too_dear_for_the_orders_gets_a_suggestion(auth, client, producer, distributor):
    listing = ListingFactory(producer=producer, unit_price=40000)
    OrderFactory(distributor=distributor, max_unit_price=35000)
    auth.login(producer.email)
    page = client.get(f"/listings/{listing.id}").get_data(as_text=True)
    assert "How this listing could reach more orders" in page
    assert "Lower your price to 35.000 ₫/kg to match 1 open order" in page
