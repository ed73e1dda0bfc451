"""Who may do what on the listing, order, match and admin pages: every role
against every page action, with the exact answer, and nothing changed when
refused.

"producer" owns the listings, "distributor" owns the order, and the two are
the parties of the matches ("match" approved, "proposed" waiting for
moderation, "confirmed" accepted by both); "other_*" are signed-in users of
the same role trying those ids; "suspended" was signed
in when an admin suspended them; "scoped_admin" is an admin limited to Hà
Nội, which none of these records touches (see SCOPED_ADMIN)."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.admin.accounts.scope import set_admin_scope
from marketplace.auth.certificates import store_certificate_scan
from marketplace.core.extensions import db as _db
from marketplace.listings.links import slug_of
from marketplace.matches.runs import start_run
from marketplace.models import (
    ApprovalPolicy,
    DemandOrder,
    Listing,
    ListingPhoto,
    ListingStatus,
    Lot,
    Match,
    MatchMessage,
    MatchRun,
    MatchStatus,
    OrderStatus,
    Profile,
    RunTrigger,
    User,
)
from marketplace.models.policy import POLICY_ID
from marketplace.models.user import Role, UserStatus
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.images import png
from tests.support.lots import make_lot
from tests.support.match_data import make_match
from tests.support.pages import listing_form, order_form

ROLES = ("anonymous", "producer", "other_producer", "distributor", "other_distributor", "admin", "suspended",
         "scoped_admin")
LOGIN = "login"  # a redirect to the login page
REFUSED = "refused"  # a redirect back with a message, and nothing changed
PUBLIC = "public"  # a redirect to the listing's public page (/p/<id>-<slug>)


def everyone(status):
    return {role: status for role in ROLES} | {"anonymous": LOGIN, "suspended": LOGIN}


def only(statuses: dict, default=403):
    return ({role: default for role in ROLES} | {"anonymous": LOGIN, "suspended": LOGIN}
            | {"scoped_admin": statuses.get("admin", default)} | statuses)


# What an admin limited to a province none of the world's records touches
# gets, where it differs from a whole-country admin: each record answers 404
# as a missing id would, the lists answer 200 (without these records, see
# tests/unit/admin/test_scope.py), and the national settings (runs, policy) 403.
SCOPED_ADMIN = {
    "view paused listing": 404, "view cancelled order": 404, "confirm removal": 404, "remove listing": 404,
    "confirm cancel": 404, "cancel order": 404, "view match": 404, "view proposal": 404,
    "propose other terms": 404, "accept match": 404, "decline match": 404, "cancel match": 404,
    "record a shipment": 404, "confirm receipt": 404, "write a message": 404, "hide a message": 404,
    "approve proposal": 404, "reject proposal": 404, "bulk approve": REFUSED, "start a run": 403,
    "change the policy": 403, "switch the policy off": 403, "a producer's certificate scan": 404,
    "one user": 404, "verify a producer": 404, "edit a profile": 404, "suspend a user": 404,
    "reinstate a user": 404, "take down a listing": 404, "take down an order": 404,
}


# action: (method, path, form data, expected answer per role)
ACTIONS = {
    "view catalogue": ("GET", "/listings", None, everyone(200)),
    "view board": ("GET", "/orders", None, everyone(200)),
    "view listing": ("GET", "/listings/{listing}", None, everyone(200) | {"anonymous": PUBLIC, "suspended": PUBLIC}),
    "view paused listing": ("GET", "/listings/{paused}", None,
                            only({"producer": 200, "admin": 200}, default=404)),
    "view order": ("GET", "/orders/{order}", None, everyone(200)),
    "view cancelled order": ("GET", "/orders/{cancelled}", None,
                             only({"distributor": 200, "admin": 200}, default=404)),
    "my listings": ("GET", "/listings/mine", None, only({"producer": 200, "other_producer": 200})),
    "my orders": ("GET", "/orders/mine", None, only({"distributor": 200, "other_distributor": 200})),
    "listing form": ("GET", "/listings/new", None, only({"producer": 200, "other_producer": 200})),
    "create listing": ("POST", "/listings/new", listing_form,
                       only({"producer": 302, "other_producer": 302})),
    "edit form": ("GET", "/listings/{listing}/edit", None, only({"producer": 200, "other_producer": 404})),
    "edit listing": ("POST", "/listings/{listing}/edit", listing_form,
                     only({"producer": 302, "other_producer": 404})),
    "pause listing": ("POST", "/listings/{listing}/pause", dict,
                      only({"producer": 302, "other_producer": 404})),
    "resume listing": ("POST", "/listings/{paused}/publish", dict,
                       only({"producer": 302, "other_producer": 404})),
    "upload a photo": ("POST", "/listings/{listing}/photos", lambda: {"file": (io.BytesIO(png()), "bottle.png")},
                       only({"producer": 302, "other_producer": 404})),
    "confirm removal": ("GET", "/listings/{listing}/remove", None,
                        only({"producer": 200, "other_producer": 404, "admin": 200})),
    "remove listing": ("POST", "/listings/{listing}/remove", dict,
                       only({"producer": 302, "other_producer": 404, "admin": 302})),
    "order form": ("GET", "/orders/new", None, only({"distributor": 200, "other_distributor": 200})),
    "create order": ("POST", "/orders/new", order_form, only({"distributor": 302, "other_distributor": 302})),
    "edit order": ("POST", "/orders/{order}/edit", order_form,
                   only({"distributor": 302, "other_distributor": 404})),
    "confirm cancel": ("GET", "/orders/{order}/cancel", None,
                       only({"distributor": 200, "other_distributor": 404, "admin": 200})),
    "cancel order": ("POST", "/orders/{order}/cancel", dict,
                     only({"distributor": 302, "other_distributor": 404, "admin": 302})),
    # Admins work from the moderation queue; "my matches" is the parties' list.
    "my matches": ("GET", "/matches", None, only({"producer": 200, "other_producer": 200, "distributor": 200,
                                                  "other_distributor": 200})),
    "view match": ("GET", "/matches/{match}", None,
                   only({"producer": 200, "distributor": 200, "admin": 200}, default=404)),
    "view proposal": ("GET", "/matches/{proposed}", None,
                      only({"producer": 200, "distributor": 200, "admin": 200}, default=404)),
    "propose other terms": ("POST", "/matches/{match}/offers",
                            lambda: {"offer-quantity": "100", "offer-unit_price": "30000"},
                            only({"producer": 302, "distributor": 302, "admin": REFUSED}, default=404)),
    "offer to supply an order": ("POST", "/orders/{order}/offer",
                                 lambda: {"supply-listing_id": "{listing}", "supply-quantity": "100",
                                          "supply-unit_price": "32000"},
                                 only({"producer": 302, "other_producer": 404})),
    "ask for a listing": ("POST", "/listings/{listing}/request",
                          lambda: {"request-order_id": "{order}", "request-quantity": "100"},
                          only({"distributor": 302, "other_distributor": 404})),
    "my profile": ("GET", "/auth/profile", None,
                   only({"producer": 200, "other_producer": 200, "distributor": 200, "other_distributor": 200,
                         "admin": 404})),
    "accept match": ("POST", "/matches/{match}/accept", dict,
                     only({"producer": 302, "distributor": 302, "admin": REFUSED}, default=404)),
    "decline match": ("POST", "/matches/{match}/decline", dict,
                      only({"producer": 302, "distributor": 302, "admin": REFUSED}, default=404)),
    "cancel match": ("POST", "/matches/{confirmed}/cancel", lambda: {"cancel-reason": "Xe hỏng"},
                     only({"producer": 302, "distributor": 302, "admin": 302}, default=404)),
    "record a shipment": ("POST", "/matches/{confirmed}/ship",
                          lambda: {"ship-quantity": "10",
                                   "ship-shipped_on": (date.today() - timedelta(days=1)).isoformat()},
                          only({"producer": 302, "distributor": REFUSED, "admin": REFUSED}, default=404)),
    "confirm receipt": ("POST", "/matches/{confirmed}/fulfil", dict,
                        only({"producer": REFUSED, "distributor": 302, "admin": REFUSED}, default=404)),
    "write a message": ("POST", "/matches/{match}/messages", lambda: {"message-text": "Chào anh"},
                        only({"producer": 302, "distributor": 302, "admin": 302}, default=404)),
    "hide a message": ("POST", "/matches/{match}/messages/{message}/hide", lambda: {"hide-reason": "Ngoài sàn"},
                       only({"producer": REFUSED, "distributor": REFUSED, "admin": 302}, default=404)),
    # Lots: "lot" is a lot of "listing"; its trace page and QR code are public.
    "lots of a listing": ("GET", "/listings/{listing}/lots", None, only({"producer": 200, "other_producer": 404})),
    "record a lot": ("POST", "/listings/{listing}/lots",
                     lambda: {"code": "NM-02", "produced_on": "2026-11-02", "quantity": "50"},
                     only({"producer": 302, "other_producer": 404})),
    "edit lot form": ("GET", "/lots/{lot}/edit", None, only({"producer": 200, "other_producer": 404})),
    "edit a lot": ("POST", "/lots/{lot}/edit",
                   lambda: {"code": "NM-01", "produced_on": "2026-11-02", "quantity": "40"},
                   only({"producer": 302, "other_producer": 404})),
    "label sheet": ("GET", "/listings/{listing}/labels", None, only({"producer": 200, "other_producer": 404})),
    "trace page": ("GET", "/t/{lot_link}", None, {role: 200 for role in ROLES}),
    "trace qr code": ("GET", "/t/{lot_link}/qr.png", None, {role: 200 for role in ROLES}),
    # Public pages: the same answer for everyone, signed in or not.
    "product page": ("GET", "/p/{listing_page}", None, {role: 200 for role in ROLES}),
    "product page by id": ("GET", "/p/{listing}", None, {role: 301 for role in ROLES}),
    "paused product page": ("GET", "/p/{paused}-gao", None, {role: 404 for role in ROLES}),
    "product qr code": ("GET", "/p/{listing}/qr.svg", None, {role: 200 for role in ROLES}),
    "producer page": ("GET", "/producers/{producer_id}", None, {role: 200 for role in ROLES}),
    "a distributor's producer page": ("GET", "/producers/{target}", None, {role: 404 for role in ROLES}),
    "sitemap": ("GET", "/sitemap.xml", None, {role: 200 for role in ROLES}),
    "robots": ("GET", "/robots.txt", None, {role: 200 for role in ROLES}),
    "api tokens": ("GET", "/auth/tokens", None, everyone(200)),
    "forgot password": ("GET", "/auth/forgot", None, {role: 200 for role in ROLES}),
    "reset link, forged": ("GET", "/auth/reset/forged", None, {role: 400 for role in ROLES}),
    "after sign-up": ("GET", "/auth/registered", None, {role: 200 for role in ROLES}),
    "confirmation link, forged": ("GET", "/auth/confirm/forged", None, {role: 400 for role in ROLES}),
    "moderation queue": ("GET", "/admin/matches", None, only({"admin": 200})),
    "deals": ("GET", "/admin/deals?status=confirmed", None, only({"admin": 200})),
    "approve proposal": ("POST", "/admin/matches/{proposed}/approve", dict, only({"admin": 302})),
    "reject proposal": ("POST", "/admin/matches/{proposed}/reject", lambda: {"reason": "Giá bất thường"},
                        only({"admin": 302})),
    "match runs": ("GET", "/admin/match-runs", None, only({"admin": 200})),
    "start a run": ("POST", "/admin/match-runs", lambda: {"category": ""}, only({"admin": 302})),
    "view a run": ("GET", "/admin/match-runs/{run}", None, only({"admin": 200})),
    "bulk approve": ("POST", "/admin/matches/bulk", lambda: {"ids": "{proposed}", "action": "approve"},
                     only({"admin": 302})),
    "approval policy": ("GET", "/admin/policy", None, only({"admin": 200})),
    "change the policy": ("POST", "/admin/policy", lambda: {"min_score": "70"}, only({"admin": 302})),
    "switch the policy off": ("POST", "/admin/policy/off", dict, only({"admin": 302})),
    "admin home": ("GET", "/admin/", None, only({"admin": 302})),
    "dashboard": ("GET", "/admin/dashboard", None, only({"admin": 200})),
    "export matches": ("GET", "/admin/exports/matches.csv", None, only({"admin": 200})),
    "export unmet demand": ("GET", "/admin/exports/unmet-demand.csv", None, only({"admin": 200})),
    "audit log": ("GET", "/admin/audit", None, only({"admin": 200})),
    "send a certificate scan": ("POST", "/auth/profile/certificate", lambda: {"file": (io.BytesIO(png()), "scan.png")},
                                only({"producer": 302, "other_producer": 302, "distributor": REFUSED,
                                      "other_distributor": REFUSED, "admin": REFUSED})),
    "own certificate scan": ("GET", "/auth/profile/certificate", None,
                             only({"producer": 200, "other_producer": 404, "distributor": 404,
                                   "other_distributor": 404, "admin": 404})),
    "a producer's certificate scan": ("GET", "/admin/users/{producer_user}/certificate", None, only({"admin": 200})),
    "users": ("GET", "/admin/users?q=example", None, only({"admin": 200})),
    "one user": ("GET", "/admin/users/{target}", None, only({"admin": 200})),
    "verify a producer": ("POST", "/admin/users/{unverified}/verify", lambda: {"certificate_no": "OCOP-CT-0042"},
                          only({"admin": 302})),
    "edit a profile": ("POST", "/admin/users/{unverified}/profile",
                       lambda: {"profile-display_name": "HTX Sửa", "profile-province": "Cần Thơ",
                                "profile-phone": "0912345678", "profile-ocop_certificate_no": "OCOP-CT-0043"},
                       only({"admin": 302})),
    "suspend a user": ("POST", "/admin/users/{target}/suspend", lambda: {"reason": "Đăng tin giả"},
                       only({"admin": 302})),
    "reinstate a user": ("POST", "/admin/users/{suspended_user}/reinstate", lambda: {"reason": "Đã giải trình"},
                         only({"admin": 302})),
    "take down a listing": ("POST", "/admin/listings/{listing}/takedown", lambda: {"reason": "Hàng cấm"},
                            only({"admin": 302})),
    "take down an order": ("POST", "/admin/orders/{order}/takedown", lambda: {"reason": "Đơn ảo"},
                           only({"admin": 302})),
}
for _action, _scoped in SCOPED_ADMIN.items():
    ACTIONS[_action][3]["scoped_admin"] = _scoped


@pytest.fixture
def world(user_factory):
    users = {
        "producer": user_factory(email="producer@example.vn", role=Role.PRODUCER),
        "other_producer": user_factory(email="other.producer@example.vn", role=Role.PRODUCER),
        "distributor": user_factory(email="distributor@example.vn", role=Role.DISTRIBUTOR),
        "other_distributor": user_factory(email="other.distributor@example.vn", role=Role.DISTRIBUTOR),
        "admin": user_factory(email="admin@example.vn", role=Role.ADMIN),
        "suspended": user_factory(email="suspended@example.vn", role=Role.PRODUCER),
        "scoped_admin": user_factory(email="scoped.admin@example.vn", role=Role.ADMIN),
    }
    set_admin_scope(users["scoped_admin"], ["Hà Nội"])
    ids = {
        "listing": ListingFactory(producer=users["producer"]).id,
        "paused": ListingFactory(producer=users["producer"], status=ListingStatus.PAUSED).id,
        "order": OrderFactory(distributor=users["distributor"]).id,
        "cancelled": OrderFactory(distributor=users["distributor"], status=OrderStatus.CANCELLED).id,
    }
    # The suspended user's own listing: suspension must not leave a way in.
    ListingFactory(producer=users["suspended"])
    # Accounts the admin pages act on, none of them signed in here.
    ids["target"] = user_factory(email="target@example.vn", role=Role.DISTRIBUTOR).id
    ids["unverified"] = user_factory(email="unverified@example.vn", role=Role.PRODUCER,
                                     profile__ocop_certificate_no="OCOP-CT-0042").id
    ids["suspended_user"] = user_factory(email="banned@example.vn", role=Role.DISTRIBUTOR,
                                         status=UserStatus.SUSPENDED).id
    # Switched on, so that switching it off is a change.
    _db.session.add(ApprovalPolicy(id=POLICY_ID, enabled=True, min_score=0.9))
    _db.session.commit()
    pairs = [(ListingFactory(producer=users["producer"]), OrderFactory(distributor=users["distributor"]))
             for _ in range(3)]
    ids["match"] = make_match(*pairs[0]).id
    ids["proposed"] = make_match(*pairs[1], status=MatchStatus.PROPOSED).id
    ids["confirmed"] = make_match(*pairs[2], status=MatchStatus.CONFIRMED).id
    message = MatchMessage(match_id=ids["match"], author_id=users["producer"].id, author_role="producer",
                           text="Chào chị")
    _db.session.add(message)
    _db.session.commit()
    ids["message"] = message.id
    ids["run"] = start_run(RunTrigger.CLI, category="food.rice").id
    listing = _db.session.get(Listing, ids["listing"])
    ids["listing_page"], ids["producer_id"] = f"{listing.id}-{slug_of(listing.title)}", users["producer"].id
    lot = make_lot(listing, code="NM-01")
    store_certificate_scan(users["producer"], png(colour=(200, 10, 10)))
    ids["producer_user"] = users["producer"].id
    ids["lot"], ids["lot_link"] = lot.id, lot.link_code
    return users, ids


def sign_in_as(role, users, auth):
    if role == "anonymous":
        return
    auth.login(users[role].email)
    if role == "suspended":
        users[role].status = UserStatus.SUSPENDED
        _db.session.commit()


def database_state():
    _db.session.expire_all()
    listings = _db.session.execute(select(
        Listing.id, Listing.producer_id, Listing.status, Listing.title, Listing.quantity, Listing.unit_price,
        Listing.revision).order_by(Listing.id)).all()
    orders = _db.session.execute(select(
        DemandOrder.id, DemandOrder.distributor_id, DemandOrder.status, DemandOrder.title,
        DemandOrder.quantity, DemandOrder.max_unit_price, DemandOrder.revision).order_by(DemandOrder.id)).all()
    matches = _db.session.execute(select(
        Match.id, Match.status, Match.producer_accepted_at, Match.distributor_accepted_at,
        Match.updated_at, Match.shipped_quantity).order_by(Match.id)).all()
    runs = _db.session.execute(select(MatchRun.id).order_by(MatchRun.id)).all()
    accounts = _db.session.execute(select(
        User.id, User.status, User.session_token, Profile.verified_at, Profile.display_name, Profile.ocop_certificate_no,
        Profile.certificate_scan)
        .outerjoin(Profile, Profile.user_id == User.id)
        .order_by(User.id)).all()
    policy = _db.session.execute(select(ApprovalPolicy.enabled, ApprovalPolicy.min_score)).all()
    messages = _db.session.execute(select(MatchMessage.id, MatchMessage.hidden_at).order_by(MatchMessage.id)).all()
    photos = _db.session.execute(select(ListingPhoto.id, ListingPhoto.position).order_by(ListingPhoto.id)).all()
    lots = _db.session.execute(select(Lot.id, Lot.code, Lot.quantity, Lot.updated_at).order_by(Lot.id)).all()
    return listings, orders, matches, runs, accounts, policy, messages, photos, lots


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_role_and_action(world, auth, client, action, role):
    users, ids = world
    method, path, form, expected_by_role = ACTIONS[action]
    expected = expected_by_role[role]
    sign_in_as(role, users, auth)
    path = path.format(**ids)
    before = database_state()

    if method == "GET":
        response = client.get(path)
    else:
        fields = {name: value.format(**ids) if isinstance(value, str) else value for name, value in form().items()}
        response = client.post(path, data={**fields, "csrf_token": auth.csrf("/")})

    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response.location.startswith("/auth/login?next=")
    elif expected == PUBLIC:
        assert response.status_code == 302 and response.location == f"/p/{ids['listing_page']}"
    elif expected == REFUSED:
        assert response.status_code == 302 and not response.location.startswith("/auth/login")
        assert database_state() == before
        return
    else:
        assert response.status_code == expected
    writes = method == "POST" and expected == 302
    if writes:
        assert not response.location.startswith("/auth/login")
        assert database_state() != before
    else:
        assert database_state() == before


def test_a_refusal_never_shows_the_other_users_item(world, auth, client):
    users, ids = world
    auth.login(users["other_producer"].email)
    for path in (f"/listings/{ids['listing']}/edit", f"/listings/{ids['paused']}",
                 f"/listings/{ids['listing']}/remove"):
        html = client.get(path).get_data(as_text=True)
        assert "Gạo ST25" not in html, path
    # A missing id and another producer's id get the same answer.
    assert client.get("/listings/999999/edit").status_code == client.get(
        f"/listings/{ids['listing']}/edit").status_code == 404


def test_posts_without_a_csrf_token_are_refused(world, auth, client):
    users, ids = world
    auth.login(users["producer"].email)
    before = database_state()
    assert client.post(f"/listings/{ids['listing']}/pause").status_code == 400
    assert client.post(f"/listings/{ids['listing']}/remove").status_code == 400
    assert database_state() == before


def test_an_admin_removes_a_listing_and_cancels_an_order_from_their_pages(world, auth, client):
    users, ids = world
    auth.login(users["admin"].email)
    listing, order = f"/listings/{ids['listing']}", f"/orders/{ids['order']}"

    def post(path):
        return client.post(path, data={"csrf_token": auth.csrf("/")})

    assert f'href="{listing}/remove"' in client.get(listing).get_data(as_text=True)
    assert post(f"{listing}/remove").status_code == 302
    assert client.get(listing).status_code == 200  # staff still see it
    again = post(f"{listing}/remove")
    assert again.status_code == 409 and "already removed" in again.get_data(as_text=True)

    assert post(f"{order}/cancel").status_code == 302
    assert post(f"{order}/cancel").status_code == 409
    auth.logout()
    auth.login(users["other_producer"].email)
    assert client.get(f"/listings/{ids['listing']}").status_code == 404
    assert client.get(f"/orders/{ids['order']}").status_code == 404
