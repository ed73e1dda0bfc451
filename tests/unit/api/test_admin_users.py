"""/api/v1/admin/users and the takedown endpoints."""
import pytest
from sqlalchemy import select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.models import DemandOrder, Listing, ListingStatus, Match, MatchStatus, OrderStatus, Profile, User
from marketplace.models.user import Role, UserStatus
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import OrderFactory, ProfileFactory, UserFactory
from tests.support.match_data import make_match


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def as_admin(api, admin):
    return api.as_(issue_token(admin))


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def actions(action):
    return db.session.scalars(select(AuditLog).where(AuditLog.action == action)).all()


ROUTES = [("GET", "/admin/users", None), ("GET", "/admin/users/{uid}", None),
          ("POST", "/admin/users/{uid}/verify", {"certificate_no": "OCOP-1"}),
          ("POST", "/admin/users/{uid}/suspend", {"reason": "x"}),
          ("POST", "/admin/users/{uid}/reinstate", {"reason": "x"}),
          ("POST", "/admin/listings/{lid}/takedown", {"reason": "x"}),
          ("POST", "/admin/orders/{oid}/takedown", {"reason": "x"})]


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_only_admins_may_call(api, producer, distributor, rice, method, path, body):
    listing, order = rice
    url = path.format(uid=producer.id, lid=listing.id, oid=order.id)
    kwargs = {"json": body} if body else {}
    anonymous = api.call(method, url, **kwargs)
    assert anonymous.status_code == 401 and error_of(anonymous)["code"] == "unauthorized"
    for who in (producer, distributor):
        refused = api.as_(issue_token(who)).call(method, url, **kwargs)
        assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
    assert fresh(User, producer.id).status == UserStatus.ACTIVE
    assert fresh(Listing, listing.id).status == ListingStatus.ACTIVE
    assert fresh(DemandOrder, order.id).status == OrderStatus.OPEN
    assert db.session.scalar(select(AuditLog.id).limit(1)) is None


def test_search_pages_and_filters(as_admin, admin):
    tom = UserFactory(email="htx.tom@example.vn",
                      profile=ProfileFactory(display_name="HTX Tôm", phone="0290111222",
                                             ocop_certificate_no="OCOP-CM-0007"))
    UserFactory(role=Role.DISTRIBUTOR, status=UserStatus.SUSPENDED, email="cam@example.vn")
    for n in range(3):
        UserFactory(role=Role.DISTRIBUTOR, email=f"buyer{n}@example.vn")
    body = as_admin.get("/admin/users?q=ocop-cm&per_page=5").get_json()
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 5)
    [found] = body["items"]
    assert found["id"] == tom.id and found["email"] == "htx.tom@example.vn"
    assert (found["role"], found["status"], found["verified"], found["ocop_certificate_no"]) == (
        "producer", "active", False, "OCOP-CM-0007")
    assert as_admin.get("/admin/users?role=distributor").get_json()["total"] == 4
    assert as_admin.get("/admin/users?role=distributor&status=suspended").get_json()["total"] == 1
    assert as_admin.get("/admin/users?unverified=true").get_json()["total"] == 1
    page2 = as_admin.get("/admin/users?per_page=2&page=2").get_json()
    assert (page2["total"], len(page2["items"])) == (6, 2)  # the admin is an account too
    bad = as_admin.get("/admin/users?role=king&status=gone")
    assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"role", "status"}


def test_detail_and_unknown_ids(as_admin, producer, distributor, rice):
    listing, order = rice
    make_match(listing, order, status=MatchStatus.FULFILLED)
    make_match(listing, OrderFactory(distributor=distributor), status=MatchStatus.APPROVED, quantity=150)
    body = as_admin.get(f"/admin/users/{producer.id}").get_json()
    assert body["match_counts"] == {"fulfilled": 1, "approved": 1}
    assert body["open_matches"] == 1
    assert body["listing_total"] == 1 and body["listings"][0]["id"] == listing.id
    assert body["verified_by"] is None
    for method, path, body in ROUTES[1:]:
        url = path.format(uid=999999, lid=999999, oid=999999)
        response = as_admin.call(method, url, **({"json": body} if body else {}))
        assert response.status_code == 404, url
        assert error_of(response)["code"] == "not_found"


def test_verify(as_admin, admin, producer):
    producer.profile.ocop_certificate_no = "OCOP-CT-0042"
    db.session.commit()
    url = f"/admin/users/{producer.id}/verify"
    missing = as_admin.post(url, json={})
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"certificate_no"}
    wrong = as_admin.post(url, json={"certificate_no": "OCOP-CT-0043"})
    assert wrong.status_code == 422
    assert "OCOP-CT-0042" in error_of(wrong)["fields"]["certificate_no"]
    assert fresh(Profile, producer.profile.id).verified_at is None
    done = as_admin.post(url, json={"certificate_no": " ocop-ct-0042 "})
    assert done.status_code == 200
    body = done.get_json()
    assert body["verified"] is True and body["verified_certificate_no"] == "OCOP-CT-0042"
    assert body["verified_by"] == {"id": admin.id, "email": admin.email, "display_name": admin.email}
    again = as_admin.post(url, json={"certificate_no": "OCOP-CT-0042"})
    assert again.status_code == 409 and error_of(again)["code"] == "conflict"
    not_producer = as_admin.post(f"/admin/users/{admin.id}/verify", json={"certificate_no": "OCOP-CT-0042"})
    assert not_producer.status_code == 409
    [row] = actions("user.verified")
    assert (row.actor_id, row.target_id) == (admin.id, producer.id)


def test_suspend_and_reinstate(as_admin, api, admin, producer, distributor, rice):
    listing, order = rice
    match = make_match(listing, order, status=MatchStatus.APPROVED, quantity=250)
    token = issue_token(distributor)
    assert api.as_(token).get(f"/orders/{order.id}").status_code == 200
    url = f"/admin/users/{distributor.id}/suspend"
    empty = as_admin.post(url, json={"reason": ""})
    assert empty.status_code == 422 and set(error_of(empty)["fields"]) == {"reason"}
    long = as_admin.post(url, json={"reason": "x" * 501})
    assert long.status_code == 422 and set(error_of(long)["fields"]) == {"reason"}
    done = as_admin.post(url, json={"reason": "Đặt hàng ảo"})
    assert done.status_code == 200
    body = done.get_json()
    assert body["cancelled_matches"] == 1
    assert (body["user"]["status"], body["user"]["suspended_reason"]) == ("suspended", "Đặt hàng ảo")
    assert fresh(Match, match.id).status == MatchStatus.CANCELLED
    assert fresh(Listing, listing.id).reserved_quantity == 0
    assert fresh(DemandOrder, order.id).reserved_quantity == 0
    gone = api.as_(token).get(f"/orders/{order.id}")
    assert gone.status_code == 401
    # The order is off the board for others.
    producer_api = api.as_(issue_token(producer))
    assert producer_api.get(f"/orders/{order.id}").status_code == 404
    assert order.id not in [o["id"] for o in producer_api.get("/orders").get_json()["items"]]
    assert as_admin.post(url, json={"reason": "again"}).status_code == 409
    for untouchable in (admin, UserFactory(role=Role.ADMIN)):
        refused = as_admin.post(f"/admin/users/{untouchable.id}/suspend", json={"reason": "x"})
        assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"

    back = as_admin.post(f"/admin/users/{distributor.id}/reinstate", json={"reason": "Đã xác minh"})
    assert back.status_code == 200
    assert (back.get_json()["status"], back.get_json()["suspended_reason"]) == ("active", None)
    assert api.as_(token).get(f"/orders/{order.id}").status_code == 401
    assert producer_api.get(f"/orders/{order.id}").status_code == 200
    assert as_admin.post(f"/admin/users/{distributor.id}/reinstate", json={"reason": "x"}).status_code == 409
    assert [r.details["reason"] for r in actions("user.suspended")] == ["Đặt hàng ảo"]
    assert [r.details["reason"] for r in actions("user.reinstated")] == ["Đã xác minh"]


def test_takedowns(as_admin, api, admin, producer, distributor, rice):
    listing, order = rice
    match = make_match(listing, order, status=MatchStatus.CONFIRMED, quantity=500)
    missing = as_admin.post(f"/admin/listings/{listing.id}/takedown", json={})
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"reason"}
    done = as_admin.post(f"/admin/listings/{listing.id}/takedown", json={"reason": "Sai nguồn gốc"})
    assert done.status_code == 200
    body = done.get_json()
    assert (body["status"], body["takedown_reason"], body["reserved_quantity"]) == ("removed", "Sai nguồn gốc", 0)
    assert fresh(Match, match.id).status == MatchStatus.CANCELLED
    assert fresh(DemandOrder, order.id).reserved_quantity == 0
    assert as_admin.post(f"/admin/listings/{listing.id}/takedown", json={"reason": "x"}).status_code == 409
    owner = api.as_(issue_token(producer)).get(f"/listings/{listing.id}").get_json()
    assert owner["takedown_reason"] == "Sai nguồn gốc"

    closed = as_admin.post(f"/admin/orders/{order.id}/takedown", json={"reason": "Trùng lặp"})
    assert closed.status_code == 200
    assert (closed.get_json()["status"], closed.get_json()["takedown_reason"]) == ("cancelled", "Trùng lặp")
    assert as_admin.post(f"/admin/orders/{order.id}/takedown", json={"reason": "x"}).status_code == 409
    mine = api.as_(issue_token(distributor)).get(f"/orders/{order.id}").get_json()
    assert mine["takedown_reason"] == "Trùng lặp" and mine["taken_down_at"]
    assert [(r.target_type, r.target_id) for r in actions("listing.taken_down") + actions("order.taken_down")] == [
        ("listing", listing.id), ("order", order.id)]
