"""Admin account pages and services: the users list, verifying a producer,
suspending and reinstating an account."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.admin.accounts import services as accounts
from marketplace.core.clock import local_today, utcnow
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, WrongState
from marketplace.matches import runs
from marketplace.matches.loading import excluded_pairs, load_demands, load_supplies
from marketplace.matches.proposals import write_proposals
from marketplace.matching import MatchConfig, match
from marketplace.models import (
    ApiToken,
    DemandOrder,
    Listing,
    Match,
    MatchStatus,
    Notification,
    Profile,
    RunTrigger,
    User,
)
from marketplace.models.user import Role, UserStatus
from tests.support.api_client import ApiClient, issue_token
from tests.support.auth import AuthActions, csrf
from tests.support.factories import ListingFactory, OrderFactory, ProfileFactory, UserFactory
from tests.support.match_data import make_match
from tests.support.records import audit_rows, fresh


@pytest.fixture
def certified(producer):
    producer.profile.ocop_certificate_no = "OCOP-CT-0042"
    db.session.commit()
    return producer


# -- list and search ------------------------------------------------------------------------------

def test_users_are_found_by_email_name_phone_and_certificate_and_filtered(as_admin, admin):
    ca_mau = UserFactory(email="htx.tom@example.vn",
                         profile=ProfileFactory(display_name="HTX Tôm Cà Mau", phone="0290 111 222",
                                                province_code="ca-mau", ocop_certificate_no="OCOP-CM-0007"))
    UserFactory(email="coop.che@example.vn",
                profile=ProfileFactory(display_name="HTX Chè Thái Nguyên", phone="0208999000",
                                       ocop_certificate_no="OCOP-TN-0100"))
    buyer = UserFactory(role=Role.DISTRIBUTOR, email="mua.hang@example.vn",
                        profile=ProfileFactory(display_name="Siêu thị Xanh", phone="0909555444"))
    banned = UserFactory(role=Role.DISTRIBUTOR, status=UserStatus.SUSPENDED, email="cam@example.vn")

    def names(query):
        response = as_admin.get("/admin/users" + query)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return page, {u.id for u in (ca_mau, buyer, banned) if f'id="user-{u.id}"' in page}

    page, found = names("?q=HTX.TOM")
    assert found == {ca_mau.id} and "1 user" in page
    assert "Cà Mau" in page and "Producer" in page and "0290 111 222" in page
    assert names("?q=0290111222")[1] == {ca_mau.id}
    assert names("?q=ocop-cm-0007")[1] == {ca_mau.id}
    assert names("?q=siêu thị")[1] == {buyer.id}
    # Typed on a phone without diacritics, or with another tone-mark placement.
    assert names("?q=sieu%20thi")[1] == {buyer.id}
    assert names("?q=TOM%20CA%20MAU")[1] == {ca_mau.id}
    page, found = names("?role=distributor")
    assert found == {buyer.id, banned.id} and "2 users" in page
    page, found = names("?status=suspended")
    assert found == {banned.id} and "Suspended" in page
    page, found = names("?unverified=y")
    assert found == {ca_mau.id} and "2 users" in page
    assert "HTX Chè Thái Nguyên" in page and "Siêu thị Xanh" not in page
    assert as_admin.get("/admin/users?role=king").status_code == 400


def test_unverified_filter_leaves_out_verified_producers(as_admin, certified, admin):
    accounts.verify_producer(certified, admin, "OCOP-CT-0042")
    other = UserFactory()
    page = as_admin.get("/admin/users?unverified=y").get_data(as_text=True)
    assert f'id="user-{other.id}"' in page and f'id="user-{certified.id}"' not in page
    assert "1 user" in page
    listed = as_admin.get("/admin/users?role=producer").get_data(as_text=True)
    assert "✓ Verified producer" in listed


def test_user_page_shows_profile_listings_orders_and_match_counts(as_admin, producer, distributor):
    listing = ListingFactory(producer=producer, title="Gạo ST25 thượng hạng")
    orders = [OrderFactory(distributor=distributor) for _ in range(3)]
    make_match(listing, orders[0], status=MatchStatus.FULFILLED)
    make_match(listing, orders[1], status=MatchStatus.CANCELLED)
    make_match(listing, orders[2], status=MatchStatus.APPROVED)
    page = as_admin.get(f"/admin/users/{producer.id}").get_data(as_text=True)
    assert producer.email in page and producer.profile.display_name in page
    assert "Gạo ST25 thượng hạng" in page and f'id="listing-{listing.id}"' in page
    assert "Listings (1)" in page
    assert "Take down" in page
    for label in ("Delivered", "Cancelled", "Waiting for answers"):
        assert f"<dt>{label}</dt><dd>1</dd>" in page
    assert "cancels 1 open match." in page
    assert as_admin.get("/admin/users/999999").status_code == 404


# -- verification -------------------------------------------------------------------------------

def test_verifying_records_who_checked_which_number_and_tells_the_producer(as_admin, certified, admin):
    path = f"/admin/users/{certified.id}"
    response = as_admin.post(f"{path}/verify",
                             data={"csrf_token": csrf(as_admin, path), "certificate_no": "  ocop-ct-0042 "})
    assert response.status_code == 302
    profile = fresh(Profile, certified.profile.id)
    assert profile.verified_at is not None
    assert profile.verified_by_id == admin.id
    assert profile.verified_certificate_no == "OCOP-CT-0042"
    [row] = audit_rows("user.verified")
    assert (row.actor_id, row.target_type, row.target_id) == (admin.id, "user", certified.id)
    assert row.details["certificate_no"] == "OCOP-CT-0042"
    notices = db.session.scalars(select(Notification).where(Notification.user_id == certified.id)).all()
    assert [n.kind for n in notices] == ["user.verified"]
    page = as_admin.get(response.location).get_data(as_text=True)
    assert "is verified" in page
    assert f"Certificate OCOP-CT-0042 checked by {admin.email} on " in page


def test_a_number_that_is_not_the_producers_is_refused(as_admin, certified):
    path = f"/admin/users/{certified.id}"
    response = as_admin.post(f"{path}/verify", data={"csrf_token": csrf(as_admin, path),
                                                     "certificate_no": "OCOP-CT-0043"})
    assert response.status_code == 400
    assert "This is not the number the producer gave (OCOP-CT-0042)" in response.get_data(as_text=True)
    assert fresh(Profile, certified.profile.id).verified_at is None
    assert audit_rows("user.verified") == []


def test_only_producers_with_a_number_and_only_once(admin, certified, distributor):
    with pytest.raises(WrongState):
        accounts.verify_producer(distributor, admin, "OCOP-CT-0042")
    bare = UserFactory()
    with pytest.raises(WrongState):
        accounts.verify_producer(bare, admin, "OCOP-CT-0042")
    with pytest.raises(InvalidInput) as empty:
        accounts.verify_producer(certified, admin, "  ")
    assert set(empty.value.fields) == {"certificate_no"}
    accounts.verify_producer(certified, admin, "OCOP-CT-0042")
    with pytest.raises(WrongState):
        accounts.verify_producer(certified, admin, "OCOP-CT-0042")
    assert len(audit_rows("user.verified")) == 1


def test_a_new_certificate_number_lapses_the_verification(admin, certified):
    accounts.verify_producer(certified, admin, "OCOP-CT-0042")
    profile = fresh(Profile, certified.profile.id)
    profile.ocop_certificate_no = " ocop-ct-0042"   # the same number, typed differently
    db.session.commit()
    profile = fresh(Profile, certified.profile.id)
    assert profile.verified_at is not None and profile.verified_by_id == admin.id
    profile.ocop_certificate_no = "OCOP-CT-9999"
    db.session.commit()
    profile = fresh(Profile, certified.profile.id)
    assert (profile.verified_at, profile.verified_by_id, profile.verified_certificate_no) == (None, None, None)
    # And the new number can be verified in turn.
    accounts.verify_producer(fresh(User, certified.id), admin, "ocop-ct-9999")
    assert fresh(Profile, certified.profile.id).verified_certificate_no == "OCOP-CT-9999"


# -- suspension ---------------------------------------------------------------------------------

@pytest.fixture
def deals(producer, distributor):
    """The producer's rice in three live matches and one delivered one."""
    listing = ListingFactory(producer=producer, title="Gạo của người bị đình chỉ")
    first, second, third, done = (OrderFactory(distributor=distributor) for _ in range(4))
    live = [make_match(listing, first, status=MatchStatus.PROPOSED, quantity=100),
            make_match(listing, second, status=MatchStatus.APPROVED, quantity=200),
            make_match(listing, third, status=MatchStatus.CONFIRMED, quantity=300)]
    delivered = make_match(listing, done, status=MatchStatus.FULFILLED, quantity=50)
    # A fulfilled match no longer reserves: its quantity left with the delivery.
    listing.reserved_quantity -= 50
    done.reserved_quantity -= 50
    db.session.commit()
    return listing, [first, second, third], live, delivered


def test_suspension_cancels_matches_releases_stock_and_ends_every_session(app, as_admin, admin, producer,
                                                                          distributor, deals):
    listing, orders, live, delivered = deals
    assert fresh(Listing, listing.id).reserved_quantity == 600
    token = issue_token(producer)
    api = ApiClient(app.test_client(), token)
    assert api.get(f"/listings/{listing.id}").status_code == 200
    browser = app.test_client()
    browser.set_cookie("lang", "en")
    AuthActions(browser).login(producer.email, remember=True)
    assert browser.get("/listings/mine").status_code == 200

    old_session_token = producer.session_token
    path = f"/admin/users/{producer.id}"
    page = as_admin.get(path).get_data(as_text=True)
    assert "cancels 3 open matches." in page
    response = as_admin.post(f"{path}/suspend", data={"csrf_token": csrf(as_admin, path),
                                                      "reason": "Hàng giả nhãn OCOP"})
    assert response.status_code == 302
    assert "3 open matches were cancelled" in as_admin.get(response.location).get_data(as_text=True)

    user = fresh(User, producer.id)
    assert user.status == UserStatus.SUSPENDED
    assert user.suspended_reason == "Hàng giả nhãn OCOP" and user.suspended_at is not None
    assert user.session_token != old_session_token
    assert [fresh(Match, m.id).status for m in live] == [MatchStatus.CANCELLED] * 3
    assert fresh(Match, delivered.id).status == MatchStatus.FULFILLED
    assert fresh(Listing, listing.id).reserved_quantity == 0
    assert [fresh(DemandOrder, o.id).reserved_quantity for o in orders] == [0, 0, 0]
    assert db.session.scalars(select(ApiToken.revoked_at).where(ApiToken.user_id == producer.id)).all() != [None]
    # Every way in is closed: the token, the session, the remember-me cookie.
    assert api.get(f"/listings/{listing.id}").status_code == 401
    assert browser.get("/listings/mine").status_code == 302
    # The listing is gone for everyone else.
    auth = AuthActions(as_admin)
    auth.logout()
    auth.login(distributor.email)
    assert "Gạo của người bị đình chỉ" not in as_admin.get("/listings").get_data(as_text=True)
    assert as_admin.get(f"/listings/{listing.id}").status_code == 404

    [row] = audit_rows("user.suspended")
    assert (row.actor_id, row.target_type, row.target_id) == (admin.id, "user", producer.id)
    assert row.details == {"reason": "Hàng giả nhãn OCOP", "cancelled_matches": 3, "revoked_tokens": 1}
    cancelled = audit_rows("match.cancelled")
    assert sorted(r.target_id for r in cancelled) == sorted(m.id for m in live)
    assert {r.actor_id for r in cancelled} == {admin.id}


def test_a_failure_midway_leaves_everything_as_it_was(app, monkeypatch, admin, producer, deals):
    listing, orders, live, _ = deals
    token = issue_token(producer)
    session_token = producer.session_token

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(accounts, "revoke_api_tokens", broken)
    with pytest.raises(RuntimeError):
        accounts.suspend_user(producer, admin, "Hàng giả")
    user = fresh(User, producer.id)
    assert (user.status, user.suspended_reason, user.session_token) == (UserStatus.ACTIVE, None, session_token)
    assert [fresh(Match, m.id).status for m in live] == [MatchStatus.PROPOSED, MatchStatus.APPROVED,
                                                          MatchStatus.CONFIRMED]
    assert fresh(Listing, listing.id).reserved_quantity == 600
    assert [fresh(DemandOrder, o.id).reserved_quantity for o in orders] == [100, 200, 300]
    assert db.session.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == producer.id)) is None
    assert ApiClient(app.test_client(), token).get(f"/listings/{listing.id}").status_code == 200
    assert audit_rows("user.suspended") == [] and audit_rows("match.cancelled") == []


def test_suspension_refusals(as_admin, admin, distributor):
    other_admin = UserFactory(role=Role.ADMIN)
    path = f"/admin/users/{distributor.id}"
    empty = as_admin.post(f"{path}/suspend", data={"csrf_token": csrf(as_admin, path), "reason": "  "})
    assert empty.status_code == 400 and "Please give a reason." in empty.get_data(as_text=True)
    long = as_admin.post(f"{path}/suspend", data={"csrf_token": csrf(as_admin, path), "reason": "x" * 501})
    assert long.status_code == 400 and "At most 500 characters." in long.get_data(as_text=True)
    assert fresh(User, distributor.id).status == UserStatus.ACTIVE
    for target in (admin, other_admin):
        refused = as_admin.post(f"/admin/users/{target.id}/suspend",
                                data={"csrf_token": csrf(as_admin, path), "reason": "Thử"})
        assert refused.status_code == 403
        assert fresh(User, target.id).status == UserStatus.ACTIVE
    assert "You cannot suspend your own account." in as_admin.post(
        f"/admin/users/{admin.id}/suspend", data={"csrf_token": csrf(as_admin, path), "reason": "Thử"}
    ).get_data(as_text=True)
    assert as_admin.post(f"{path}/suspend", data={"csrf_token": csrf(as_admin, path),
                                                  "reason": "Spam"}).status_code == 302
    again = as_admin.post(f"{path}/suspend", data={"csrf_token": csrf(as_admin, path), "reason": "Spam"})
    assert again.status_code == 409 and "already suspended" in again.get_data(as_text=True)
    assert len(audit_rows("user.suspended")) == 1
    assert as_admin.post("/admin/users/999999/suspend",
                         data={"csrf_token": csrf(as_admin, path), "reason": "x"}).status_code == 404


def test_reinstating_shows_the_listings_again_but_old_tokens_stay_revoked(app, as_admin, admin, producer,
                                                                          distributor):
    listing = ListingFactory(producer=producer, title="Mật ong rừng U Minh")
    token = issue_token(producer)
    accounts.suspend_user(producer, admin, "Kiểm tra giấy tờ")
    path = f"/admin/users/{producer.id}"
    page = as_admin.get(path).get_data(as_text=True)
    assert "Reason: Kiểm tra giấy tờ" in page
    empty = as_admin.post(f"{path}/reinstate", data={"csrf_token": csrf(as_admin, path), "reason": ""})
    assert empty.status_code == 400 and fresh(User, producer.id).status == UserStatus.SUSPENDED
    done = as_admin.post(f"{path}/reinstate", data={"csrf_token": csrf(as_admin, path),
                                                    "reason": "Giấy tờ hợp lệ"})
    assert done.status_code == 302
    user = fresh(User, producer.id)
    assert (user.status, user.suspended_reason, user.suspended_at) == (UserStatus.ACTIVE, None, None)
    [row] = audit_rows("user.reinstated")
    assert (row.actor_id, row.target_id, row.details) == (admin.id, producer.id, {"reason": "Giấy tờ hợp lệ"})
    assert ApiClient(app.test_client(), token).get(f"/listings/{listing.id}").status_code == 401
    assert ApiClient(app.test_client(), issue_token(producer)).get(f"/listings/{listing.id}").status_code == 200
    again = as_admin.post(f"{path}/reinstate", data={"csrf_token": csrf(as_admin, path), "reason": "x"})
    assert again.status_code == 409 and "This account is not suspended." in again.get_data(as_text=True)
    auth = AuthActions(as_admin)
    auth.logout()
    auth.login(distributor.email)
    assert "Mật ong rừng U Minh" in as_admin.get("/listings").get_data(as_text=True)
    assert as_admin.get(f"/listings/{listing.id}").status_code == 200
    notices = db.session.scalars(select(Notification.kind).where(Notification.user_id == producer.id)
                                 .order_by(Notification.id)).all()
    assert notices == ["user.suspended", "user.reinstated"]


# -- access ---------------------------------------------------------------------------------------

PAGES = [("GET", "/admin/users"), ("GET", "/admin/users/{uid}"), ("POST", "/admin/users/{uid}/verify"),
         ("POST", "/admin/users/{uid}/suspend"), ("POST", "/admin/users/{uid}/reinstate"),
         ("POST", "/admin/listings/{lid}/takedown"), ("POST", "/admin/orders/{oid}/takedown")]


@pytest.mark.parametrize("method,path", PAGES)
def test_only_admins_reach_the_account_pages(auth, client, producer, distributor, rice, method, path):
    listing, order = rice
    url = path.format(uid=producer.id, lid=listing.id, oid=order.id)
    data = {"reason": "x", "certificate_no": "x"}
    anonymous = client.open(url, method=method, data={**data, "csrf_token": csrf(client, "/auth/login")})
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.location
    for who in (producer, distributor):
        auth.login(who.email)
        token = csrf(client, "/")
        assert client.open(url, method=method, data={**data, "csrf_token": token}).status_code == 403
        auth.logout()
    assert fresh(User, producer.id).status == UserStatus.ACTIVE
    assert fresh(Listing, listing.id).taken_down_at is None
    assert audit_rows("user.suspended") == [] and audit_rows("listing.taken_down") == []


def test_matching_leaves_a_suspended_account_out_until_reinstated(admin, producer, rice, run_now):
    listing, order = rice
    accounts.suspend_user(producer, admin, "Đang điều tra")
    run_now("food.rice")
    assert db.session.scalars(select(Match).where(Match.listing_id == listing.id)).all() == []
    accounts.reinstate_user(fresh(User, producer.id), admin, "Đã xong")
    run_now("food.rice")
    [proposal] = db.session.scalars(select(Match).where(Match.listing_id == listing.id)).all()
    assert (proposal.order_id, proposal.quantity, proposal.status) == (order.id, 1000, MatchStatus.PROPOSED)


def test_a_run_that_read_the_account_before_its_suspension_proposes_nothing_for_it(admin, producer, rice):
    """The run loaded the producer's listing, then the suspension committed,
    then the run writes: the listing changed under it, so nothing is promised."""
    listing, order = rice
    today = local_today()
    run = runs.start_run(RunTrigger.CLI, category="food.rice")
    supplies, listing_sides = load_supplies("food.rice", today)
    demands, order_sides = load_demands("food.rice", today)
    result = match(supplies, demands, now=today, config=MatchConfig(), excluded_pairs=excluded_pairs("food.rice"))
    db.session.rollback()
    assert [(a.supply_id, a.demand_id) for a in result.allocations] == [(listing.id, order.id)]

    accounts.suspend_user(producer, admin, "Gian lận")
    written = write_proposals(result.allocations, run_id=run.id, listings=listing_sides, orders=order_sides,
                              expires_at=utcnow() + timedelta(hours=1))["food.rice"]
    db.session.commit()
    assert (written.matches, written.stale) == (0, 1)
    assert db.session.scalar(select(func.count(Match.id))) == 0
    assert (fresh(Listing, listing.id).reserved_quantity, fresh(DemandOrder, order.id).reserved_quantity) == (0, 0)
