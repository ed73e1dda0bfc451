"""Who may do what through the API: every role against every action, with
the exact status, nothing changed when refused, and nothing shown of what
the caller may not see."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from marketplace.admin.accounts.scope import set_admin_scope
from marketplace.auth.tokens import create_token, revoke_token
from marketplace.core.clock import utcnow
from marketplace.listings.photos import add_photo
from marketplace.matches.offers import OfferTerms, make_offer
from marketplace.matches.runs import start_run
from marketplace.models import (
    ApiToken,
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
    Notification,
    OrderStatus,
    Profile,
    Rating,
    RunTrigger,
    TraceEvent,
    User,
)
from marketplace.models.user import Role, UserStatus
from marketplace.notifications.endpoints import add_endpoint
from tests.support.api_client import ApiClient, error_of, issue_token, listing_body, order_body
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.images import png
from tests.support.lots import make_lot
from tests.support.match_data import make_match
from tests.support.sheets import upload, xlsx_bytes

ROLES = ("anonymous", "revoked", "producer", "other_producer", "distributor", "other_distributor", "admin",
         "suspended")

LISTING_SHEET = xlsx_bytes([["title", "category", "unit", "quantity", "unit_price", "province"],
                            ["Gạo ST25", "food.rice", "kg", 200, 31_000, "Cần Thơ"]])
ORDER_SHEET = xlsx_bytes([["title", "category", "unit", "quantity", "max_unit_price", "delivery_province"],
                          ["Gạo cho bếp", "food.rice", "kg", 200, 35_000, "Cần Thơ"]])

# Each action with the status every role gets, in the order of ROLES. "producer"
# owns the listings and one more token; "distributor" owns the orders.
MATRIX = {
    "list listings":            ("GET", "/listings", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "list my listings":         ("GET", "/listings?mine=1", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "get listing":              ("GET", "/listings/{listing}", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "get draft listing":        ("GET", "/listings/{draft}", None, (401, 401, 200, 404, 404, 404, 200, 401)),
    "create listing":           ("POST", "/listings", listing_body(), (401, 401, 201, 201, 403, 403, 403, 401)),
    "patch listing":            ("PATCH", "/listings/{listing}", {"title": "Đã sửa"},
                                 (401, 401, 200, 403, 403, 403, 403, 401)),
    "pause listing":            ("PATCH", "/listings/{listing}", {"status": "paused"},
                                 (401, 401, 200, 403, 403, 403, 403, 401)),
    "patch draft listing":      ("PATCH", "/listings/{draft}", {"title": "Đã sửa"},
                                 (401, 401, 200, 404, 404, 404, 403, 401)),
    "delete listing":           ("DELETE", "/listings/{listing}", None, (401, 401, 204, 403, 403, 403, 204, 401)),
    "delete draft listing":     ("DELETE", "/listings/{draft}", None, (401, 401, 204, 404, 404, 404, 204, 401)),
    "list orders":              ("GET", "/orders", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "list my orders":           ("GET", "/orders?mine=1", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "get order":                ("GET", "/orders/{order}", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "get cancelled order":      ("GET", "/orders/{cancelled}", None, (401, 401, 404, 404, 200, 404, 200, 401)),
    "import listings":          ("POST", "/listings/import?dry_run=1", LISTING_SHEET,
                                 (401, 401, 200, 200, 403, 403, 403, 401)),
    "import orders":            ("POST", "/orders/import?dry_run=1", ORDER_SHEET,
                                 (401, 401, 403, 403, 200, 200, 403, 401)),
    "create order":             ("POST", "/orders", order_body(), (401, 401, 403, 403, 201, 201, 403, 401)),
    "patch order":              ("PATCH", "/orders/{order}", {"title": "Đã sửa"},
                                 (401, 401, 403, 403, 200, 403, 403, 401)),
    "patch cancelled order":    ("PATCH", "/orders/{cancelled}", {"title": "Đã sửa"},
                                 (401, 401, 404, 404, 409, 404, 403, 401)),
    "delete order":             ("DELETE", "/orders/{order}", None, (401, 401, 403, 403, 204, 403, 204, 401)),
    "list tokens":              ("GET", "/auth/tokens", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "revoke producer's token":  ("DELETE", "/auth/tokens/{token}", None, (401, 401, 204, 404, 404, 404, 404, 401)),
    # "match" is approved between the producer's listing and the distributor's
    # order; "proposed" still waits for moderation; "confirmed" was accepted by both.
    "list matches":             ("GET", "/matches", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "get match":                ("GET", "/matches/{match}", None, (401, 401, 200, 404, 200, 404, 200, 401)),
    "get proposed match":       ("GET", "/matches/{proposed}", None, (401, 401, 200, 404, 200, 404, 200, 401)),
    "accept match":             ("POST", "/matches/{match}/accept", {},
                                 (401, 401, 200, 404, 200, 404, 403, 401)),
    "accept proposed match":    ("POST", "/matches/{proposed}/accept", {},
                                 (401, 401, 409, 404, 409, 404, 403, 401)),
    "list offers":              ("GET", "/matches/{match}/offers", None, (401, 401, 200, 404, 200, 404, 200, 401)),
    "make offer":               ("POST", "/matches/{match}/offers", {"quantity": 100, "unit_price": 30000},
                                 (401, 401, 201, 404, 201, 404, 403, 401)),
    "accept offer":             ("POST", "/matches/{offered}/offers/{offer}/accept", None,
                                 (401, 401, 200, 404, 403, 404, 403, 401)),
    "decline offer":            ("POST", "/matches/{offered}/offers/{offer}/decline", None,
                                 (401, 401, 200, 404, 403, 404, 403, 401)),
    "offer to supply":          ("POST", "/orders/{order}/offers",
                                 {"listing_id": "{listing}", "quantity": 100, "unit_price": 32000},
                                 (401, 401, 201, 422, 403, 403, 403, 401)),
    "ask for listing":          ("POST", "/listings/{listing}/requests", {"order_id": "{order}", "quantity": 100},
                                 (401, 401, 403, 403, 201, 422, 403, 401)),
    "decline match":            ("POST", "/matches/{match}/decline", {"reason": "Hết hàng"},
                                 (401, 401, 200, 404, 200, 404, 403, 401)),
    "add a photo":              ("POST", "/listings/{listing}/photos", png(),
                                 (401, 401, 201, 403, 403, 403, 403, 401)),
    "delete a photo":           ("DELETE", "/listings/{listing}/photos/{photo}", None,
                                 (401, 401, 204, 403, 403, 403, 403, 401)),
    "cancel match":             ("POST", "/matches/{confirmed}/cancel", {"reason": "Xe hỏng"},
                                 (401, 401, 200, 404, 200, 404, 200, 401)),
    "fulfil match":             ("POST", "/matches/{confirmed}/fulfil", {},
                                 (401, 401, 403, 404, 200, 404, 403, 401)),
    "record a shipment":        ("POST", "/matches/{confirmed}/shipments",
                                 {"quantity": 10, "shipped_on": (date.today() - timedelta(days=1)).isoformat()},
                                 (401, 401, 201, 404, 403, 404, 403, 401)),
    "rate a deal":              ("POST", "/matches/{fulfilled}/rating", {"stars": 4},
                                 (401, 401, 201, 404, 201, 404, 403, 401)),
    "record a shipment of a lot": ("POST", "/matches/{confirmed}/shipments",
                                 {"quantity": 10, "shipped_on": (date.today() - timedelta(days=1)).isoformat(),
                                  "lots": ["{lot}"]},
                                 (401, 401, 201, 404, 403, 404, 403, 401)),
    # "lot" is a lot of "lot_listing", the listing of "confirmed".
    "list lots":                ("GET", "/listings/{lot_listing}/lots", None,
                                 (401, 401, 200, 403, 403, 403, 200, 401)),
    "create lot":               ("POST", "/listings/{lot_listing}/lots",
                                 {"code": "NM-02", "produced_on": "2026-11-02", "quantity": 50},
                                 (401, 401, 201, 403, 403, 403, 403, 401)),
    "get lot":                  ("GET", "/lots/{lot}", None, (401, 401, 200, 404, 404, 404, 200, 401)),
    "lot epcis":                ("GET", "/lots/{lot}/epcis", None, (401, 401, 200, 404, 404, 404, 200, 401)),
    "reputation":               ("GET", "/users/{target}/reputation", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "fulfil approved match":    ("POST", "/matches/{match}/fulfil", {},
                                 (401, 401, 403, 404, 409, 404, 403, 401)),
    # The thread of "match" holds one message ("message"), written by the producer.
    "list messages":            ("GET", "/matches/{match}/messages", None,
                                 (401, 401, 200, 404, 200, 404, 200, 401)),
    "post message":             ("POST", "/matches/{match}/messages", {"text": "Chào anh"},
                                 (401, 401, 201, 404, 201, 404, 201, 401)),
    "post message on proposal": ("POST", "/matches/{proposed}/messages", {"text": "Chào anh"},
                                 (401, 401, 404, 404, 404, 404, 404, 401)),
    "hide message":             ("POST", "/admin/matches/{match}/messages/{message}/hide", {"reason": "Ngoài sàn"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "moderation queue":         ("GET", "/admin/matches?status=proposed", None,
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "approve match":            ("POST", "/admin/matches/{proposed}/approve", {},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "reject match":             ("POST", "/admin/matches/{proposed}/reject", {"reason": "Giá bất thường"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "approve approved match":   ("POST", "/admin/matches/{match}/approve", {},
                                 (401, 401, 403, 403, 403, 403, 409, 401)),
    "list runs":                ("GET", "/admin/match-runs", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "start run":                ("POST", "/admin/match-runs", {"category": "food.rice"},
                                 (401, 401, 403, 403, 403, 403, 202, 401)),
    "get run":                  ("GET", "/admin/match-runs/{run}", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "bulk approve":             ("POST", "/admin/matches/bulk", {"ids": ["{proposed}"], "action": "approve"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "get approval policy":      ("GET", "/admin/approval-policy", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "change approval policy":   ("PUT", "/admin/approval-policy", {"enabled": False},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "dashboard":                ("GET", "/admin/dashboard?days=30", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "export matches":           ("GET", "/admin/exports/matches.csv?status=proposed", None,
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "export unmet demand":      ("GET", "/admin/exports/unmet-demand.csv", None,
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "export matches as xlsx":   ("GET", "/admin/exports/matches.xlsx", None,
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "export unmet as xlsx":     ("GET", "/admin/exports/unmet-demand.xlsx", None,
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "audit log":                ("GET", "/admin/audit?action=match.approved", None,
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "my scope":                 ("GET", "/admin/scope", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "search users":             ("GET", "/admin/users?q=example", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "get user":                 ("GET", "/admin/users/{target}", None, (401, 401, 403, 403, 403, 403, 200, 401)),
    "verify producer":          ("POST", "/admin/users/{unverified}/verify", {"certificate_no": "OCOP-CT-0042"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "suspend user":             ("POST", "/admin/users/{target}/suspend", {"reason": "Đăng tin giả"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "reinstate user":           ("POST", "/admin/users/{banned}/reinstate", {"reason": "Đã giải trình"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "take down listing":        ("POST", "/admin/listings/{listing}/takedown", {"reason": "Hàng cấm"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "take down order":          ("POST", "/admin/orders/{order}/takedown", {"reason": "Đơn ảo"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    "hide review":              ("POST", "/admin/ratings/{rating}/hide", {"reason": "Lời lẽ xúc phạm"},
                                 (401, 401, 403, 403, 403, 403, 200, 401)),
    # Notifications: the producer owns the notification, the distributor the webhook endpoint.
    "list notifications":       ("GET", "/notifications", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "read notification":        ("POST", "/notifications/{notification}/read", None,
                                 (401, 401, 200, 404, 404, 404, 404, 401)),
    "read all notifications":   ("POST", "/notifications/read-all", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "get preferences":          ("GET", "/notifications/preferences", None,
                                 (401, 401, 200, 200, 200, 200, 200, 401)),
    "patch preferences":        ("PATCH", "/notifications/preferences", {"email_digest": True},
                                 (401, 401, 200, 200, 200, 200, 200, 401)),
    "list webhooks":            ("GET", "/webhooks", None, (401, 401, 200, 200, 200, 200, 200, 401)),
    "create webhook":           ("POST", "/webhooks", {"url": "https://93.184.215.14/hook"},
                                 (401, 401, 201, 201, 201, 201, 403, 401)),
    "get webhook":              ("GET", "/webhooks/{webhook}", None, (401, 401, 404, 404, 200, 404, 404, 401)),
    "webhook deliveries":       ("GET", "/webhooks/{webhook}/deliveries", None,
                                 (401, 401, 404, 404, 200, 404, 404, 401)),
    "enable webhook":           ("POST", "/webhooks/{webhook}/enable", None, (401, 401, 404, 404, 200, 404, 404, 401)),
    "delete webhook":           ("DELETE", "/webhooks/{webhook}", None, (401, 401, 404, 404, 204, 404, 404, 401)),
}
# An admin limited to Hà Nội, which none of the world's records touches, gets a
# whole-country admin's answer except here: each record answers 404 as a
# missing id would (403 where it is public, as for any other user), the lists 200 (without these records: see
# tests/unit/admin/test_scope.py), runs and the policy (national) 403 to change.
SCOPED_ADMIN = {
    "get draft listing": 404, "patch draft listing": 404, "delete listing": 403, "delete draft listing": 404,
    "get cancelled order": 404, "patch cancelled order": 404, "delete order": 403, "get match": 404, "get proposed match": 404,
    "accept match": 404, "accept proposed match": 404, "list offers": 404, "make offer": 404,
    "accept offer": 404, "decline offer": 404, "decline match": 404, "cancel match": 404, "fulfil match": 404,
    "record a shipment": 404, "rate a deal": 404, "record a shipment of a lot": 404, "list lots": 403,
    "get lot": 404, "lot epcis": 404, "fulfil approved match": 404, "list messages": 404, "post message": 404,
    "hide message": 404, "approve match": 404, "reject match": 404, "approve approved match": 404,
    "start run": 403, "change approval policy": 403, "get user": 404, "verify producer": 404,
    "suspend user": 404, "reinstate user": 404, "take down listing": 404, "take down order": 404,
    "hide review": 404,
}
CASES = [(action, role, statuses[i]) for action, (*_, statuses) in MATRIX.items() for i, role in enumerate(ROLES)]
CASES += [(action, "scoped_admin", SCOPED_ADMIN.get(action, statuses[ROLES.index("admin")]))
          for action, (*_, statuses) in MATRIX.items()]
SECRET_TITLES = ("Bản nháp bí mật", "Đơn đã huỷ bí mật")


def _notification_for(db, user) -> int:
    note = Notification(user_id=user.id, kind="user.verified", payload={}, dedupe_key=f"permissions:{user.id}")
    db.session.add(note)
    db.session.flush()
    return note.id


@pytest.fixture
def world(db, client):
    producer = UserFactory(role=Role.PRODUCER)
    distributor = UserFactory(role=Role.DISTRIBUTOR)
    scoped_admin = UserFactory(role=Role.ADMIN)
    set_admin_scope(scoped_admin, ["Hà Nội"])
    tokens = {
        "anonymous": None,
        "producer": issue_token(producer),
        "other_producer": issue_token(UserFactory(role=Role.PRODUCER)),
        "distributor": issue_token(distributor),
        "other_distributor": issue_token(UserFactory(role=Role.DISTRIBUTOR)),
        "admin": issue_token(UserFactory(role=Role.ADMIN)),
        "scoped_admin": issue_token(scoped_admin),
    }
    suspended = UserFactory(role=Role.PRODUCER)
    tokens["suspended"] = issue_token(suspended)
    suspended.status = UserStatus.SUSPENDED
    revoked = create_token(producer, "revoked")
    revoke_token(producer, revoked.token.id)
    tokens["revoked"] = revoked.secret
    spare = create_token(producer, "spare").token
    ids = {
        "listing": ListingFactory(producer=producer, title="Gạo đang bán").id,
        "draft": ListingFactory(producer=producer, title=SECRET_TITLES[0], status=ListingStatus.DRAFT).id,
        "order": OrderFactory(distributor=distributor, title="Đơn đang mở").id,
        "cancelled": OrderFactory(distributor=distributor, title=SECRET_TITLES[1],
                                  status=OrderStatus.CANCELLED).id,
        "token": spare.id,
        "notification": _notification_for(db, producer),
        "webhook": add_endpoint(distributor, "https://93.184.215.14/hook").id,
        # Accounts the admin endpoints act on.
        "target": UserFactory(role=Role.DISTRIBUTOR).id,
        "unverified": UserFactory(role=Role.PRODUCER, profile__ocop_certificate_no="OCOP-CT-0042").id,
        "banned": UserFactory(role=Role.DISTRIBUTOR, status=UserStatus.SUSPENDED).id,
    }
    db.session.commit()
    ids["photo"] = add_photo(db.session.get(Listing, ids["listing"]), producer, png()).id
    pairs = [(ListingFactory(producer=producer), OrderFactory(distributor=distributor)) for _ in range(3)]
    ids["match"] = make_match(*pairs[0]).id
    ids["proposed"] = make_match(*pairs[1], status=MatchStatus.PROPOSED).id
    ids["confirmed"] = make_match(*pairs[2], status=MatchStatus.CONFIRMED).id
    ids["lot_listing"] = pairs[2][0].id
    ids["lot"] = make_lot(pairs[2][0]).id
    ids["fulfilled"] = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                                  status=MatchStatus.FULFILLED, fulfilled_at=utcnow()).id
    reviewed = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
                          status=MatchStatus.FULFILLED, fulfilled_at=utcnow())
    review = Rating(match_id=reviewed.id, author_id=distributor.id, subject_id=producer.id, stars=1,
                    comment="Tệ", created_at=utcnow())
    db.session.add(review)
    db.session.flush()
    ids["rating"] = review.id
    offered = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor))
    ids["offered"] = offered.id
    ids["offer"] = make_offer(offered, distributor, OfferTerms(100, 30000)).id
    message = MatchMessage(match_id=ids["match"], author_id=producer.id, author_role="producer", text="Chào chị")
    db.session.add(message)
    db.session.commit()
    ids["message"] = message.id
    ids["run"] = start_run(RunTrigger.CLI, category="food.rice").id
    return SimpleNamespace(api=ApiClient(client), tokens=tokens, ids=ids)


def snapshot(db) -> dict:
    """Every row that an action could change (a token's last use aside)."""
    db.session.expire_all()

    def rows(model, skip=()):
        columns = [c.key for c in model.__table__.columns if c.key not in skip]
        return [tuple(getattr(r, c) for c in columns) for r in db.session.scalars(select(model).order_by(model.id))]

    return {"listings": rows(Listing), "orders": rows(DemandOrder), "users": rows(User),
            "profiles": rows(Profile), "tokens": rows(ApiToken, skip=("last_used_at",)), "matches": rows(Match),
            "runs": rows(MatchRun), "policy": rows(ApprovalPolicy),
            "messages": rows(MatchMessage), "ratings": rows(Rating), "photos": rows(ListingPhoto),
            "lots": rows(Lot), "trace_events": rows(TraceEvent)}


def with_ids(body, ids: dict):
    """A body's "{name}" strings (also inside lists) replaced by the world's ids."""
    if isinstance(body, dict):
        return {key: with_ids(value, ids) for key, value in body.items()}
    if isinstance(body, list):
        return [with_ids(value, ids) for value in body]
    if isinstance(body, str) and body.startswith("{") and body.endswith("}") and body[1:-1] in ids:
        return ids[body[1:-1]]
    return body


@pytest.mark.parametrize("action, role, expected", CASES, ids=[f"{a}-{r}" for a, r, _ in CASES])
def test_role_against_action(world, db, action, role, expected):
    method, path, body, _ = MATRIX[action]
    before = snapshot(db)
    if isinstance(body, bytes):
        kwargs = {"data": {"file": upload(body)}, "content_type": "multipart/form-data"}
    else:
        kwargs = {"json": with_ids(body, world.ids)} if body is not None else {}
    response = world.api.as_(world.tokens[role]).call(method, path.format(**world.ids), **kwargs)

    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    if expected >= 400:
        error_of(response)
        assert snapshot(db) == before
    if role not in ("producer", "distributor", "admin"):
        # As bytes: a scoped admin's exports are workbooks.
        body = response.get_data()
        assert not any(title.encode() in body for title in SECRET_TITLES)


def test_every_api_action_is_in_the_matrix(app):
    """A new endpoint must be added to the matrix above."""
    covered = {(method, path.split("?")[0].split("/{")[0] + ("/{}" if "{" in path else ""))
               for method, path, _, _ in MATRIX.values()}
    public = {("POST", "/auth/register"), ("POST", "/auth/tokens"), ("GET", "/categories"),
              ("GET", "/provinces"), ("GET", "/units"), ("GET", "/certifications"), ("GET", "/openapi.json")}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.removeprefix("/api/v1")
        path = path.split("/<")[0] + ("/{}" if "<" in path else "")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in covered | public, (method, rule.rule)
