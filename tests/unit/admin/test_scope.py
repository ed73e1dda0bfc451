"""Province scoping of admin accounts (marketplace/trade/scope.py): an admin
limited to Hà Nội sees, on every admin list, the records that touch Hà Nội
(a listing there, or an order delivered there) and nothing else; an admin of
the whole country sees all. The 404s on each record are in the permission
matrices (tests/unit/auth/test_page_permissions.py, tests/unit/api/test_permissions.py)."""
import pytest
from sqlalchemy import event, select

from marketplace.admin.accounts.scope import set_admin_scope
from marketplace.core.audit import AuditLog
from marketplace.core.events import emit_event
from marketplace.core.validation import InvalidInput
from marketplace.models import Listing, MatchStatus, Notification, Rating
from marketplace.models.user import Role
from marketplace.notifications.services import summarise_moderation
from marketplace.trade.scope import provinces_of
from tests.support.api_client import ApiClient, issue_token
from tests.support.factories import UserFactory
from tests.support.match_data import proposal

NAMES = ("near", "delivered", "far")


@pytest.fixture
def world(db, distributor):
    """Three proposals: one from a Hà Nội listing, one delivered to Hà Nội, one touching neither;
    each with an audit entry; and an admin limited to Hà Nội."""
    near_producer = UserFactory(role=Role.PRODUCER, profile__province_code="ha-noi",
                                profile__display_name="Coop NEARBY")
    far_producer = UserFactory(role=Role.PRODUCER, profile__display_name="Coop FARAWAY")
    matches = {"near": proposal(near_producer, distributor, province="ha-noi", delivery="ho-chi-minh"),
               "delivered": proposal(far_producer, distributor, province="can-tho", delivery="ha-noi"),
               "far": proposal(far_producer, distributor, province="can-tho", delivery="ho-chi-minh")}
    for name, match in matches.items():
        db.session.get(Listing, match.listing_id).title = f"Lua {name.upper()}"
        emit_event("match.approved", target_type="match", target_id=match.id, listing_title=f"Lua {name.upper()}",
                   order_title="x")
    db.session.commit()
    scoped = UserFactory(role=Role.ADMIN)
    set_admin_scope(scoped, ["ha noi"])            # as typed, without its marks
    return {"scoped": scoped, "national": UserFactory(role=Role.ADMIN), "near_producer": near_producer,
            "far_producer": far_producer, **matches}


PAGES = ["/admin/matches", "/admin/deals?status=proposed", "/admin/audit", "/admin/exports/matches.csv",
         "/api/v1/admin/matches", "/api/v1/admin/audit", "/api/v1/admin/exports/matches.csv"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("who", ["scoped", "national"])
def test_each_admin_list_shows_what_touches_the_admins_provinces(world, auth, client, path, who):
    response = _get(world[who], path, auth, client)
    assert response.status_code == 200
    if path == "/api/v1/admin/matches":     # matches as JSON carry ids, not titles
        ids = {item["id"] for item in response.get_json()["items"]}
        shown = {name for name in NAMES if world[name].id in ids}
    else:
        text = response.get_data(as_text=True)
        shown = {name for name in NAMES if f"Lua {name.upper()}" in text}
    assert shown == ({"near", "delivered"} if who == "scoped" else set(NAMES))


@pytest.mark.parametrize("path", ["/admin/users?q=coop", "/api/v1/admin/users?q=coop"])
def test_the_users_list_keeps_the_accounts_of_the_admins_provinces(world, auth, client, path):
    text = _get(world["scoped"], path, auth, client).get_data(as_text=True)
    assert "Coop NEARBY" in text and "Coop FARAWAY" not in text
    if not path.startswith("/api/"):
        auth.logout()
    text = _get(world["national"], path, auth, client).get_data(as_text=True)
    assert "Coop NEARBY" in text and "Coop FARAWAY" in text


@pytest.mark.parametrize("path", ["/admin/exports/unmet-demand.csv", "/api/v1/admin/exports/unmet-demand.csv"])
def test_unmet_demand_counts_only_the_admins_provinces(world, auth, client, path):
    text = _get(world["scoped"], path, auth, client).get_data(as_text=True)
    assert "ha-noi" in text and "ho-chi-minh" not in text


def test_the_dashboard_counts_only_the_admins_provinces(world, client):
    api = ApiClient(client)
    scoped = api.as_(issue_token(world["scoped"])).get("/admin/dashboard").get_json()
    national = api.as_(issue_token(world["national"])).get("/admin/dashboard").get_json()
    assert {row["code"] for row in scoped["by_province"]} == {"ha-noi"}
    assert {"ha-noi", "can-tho", "ho-chi-minh"} <= {row["code"] for row in national["by_province"]}
    assert (scoped["moderation"]["waiting"], national["moderation"]["waiting"]) == (2, 3)


def test_a_scoped_admin_works_on_records_of_their_provinces(world, auth, client):
    auth.login(world["scoped"].email)
    assert client.get(f"/matches/{world['delivered'].id}").status_code == 200
    assert client.get(f"/admin/users/{world['near_producer'].id}").status_code == 200
    assert client.get(f"/admin/users/{world['far_producer'].id}").status_code == 404
    page = client.get("/admin/matches").get_data(as_text=True)
    assert "You oversee these provinces only: Hà Nội." in page
    assert "Bạn chỉ phụ trách các tỉnh/thành này: Hà Nội." in client.get("/admin/deals?lang=vi").get_data(as_text=True)
    runs = client.get("/admin/match-runs?lang=vi").get_data(as_text=True)
    assert "chỉ quản trị viên phụ trách cả nước" in runs and "Chạy ghép nối" not in runs


def test_a_bulk_action_refuses_the_ids_outside_the_scope(world, db, client):
    api = ApiClient(client, issue_token(world["scoped"]))
    ids = [world["near"].id, world["far"].id]
    body = api.post("/admin/matches/bulk", json={"ids": ids, "action": "approve"}).get_json()
    assert (body["done"], body["not_found"]) == (1, 1)
    # Not "no such match": it may exist, outside the provinces (which, as everywhere, is not told apart).
    assert body["results"][1]["error"] == "No such match in your provinces."
    db.session.expire_all()
    assert world["far"].status == MatchStatus.PROPOSED and world["near"].status == MatchStatus.APPROVED


def test_a_bulk_reject_does_not_tell_a_scoped_admin_an_id_outside_their_provinces_no_longer_exists(
        world, db, auth, client):
    auth.login(world["scoped"].email)
    done = client.post("/admin/matches/bulk", data={
        "csrf_token": auth.csrf("/admin/matches"), "action": "reject", "ids": [world["near"].id, world["far"].id],
        "reason_code": "quantity_quality", "reason": "Kho nhỏ"})
    page = client.get(done.location).get_data(as_text=True)
    assert "1 rejected; 1 no longer exists or is outside your provinces." in page
    db.session.expire_all()
    assert world["far"].status == MatchStatus.PROPOSED and world["near"].status == MatchStatus.REJECTED


def test_the_moderation_notice_counts_the_admins_provinces(world, db):
    summarise_moderation("run-1")
    counts = {n.user_id: n.payload["count"] for n in db.session.scalars(
        select(Notification).where(Notification.kind == "moderation.waiting"))}
    assert (counts[world["scoped"].id], counts[world["national"].id]) == (2, 3)


def test_runs_and_the_policy_are_national_a_scoped_admin_reads_them(world, auth, client):
    auth.login(world["scoped"].email)
    runs = client.get("/admin/match-runs")
    assert runs.status_code == 200 and "Start a run" not in runs.get_data(as_text=True)
    assert client.post("/admin/match-runs", data={"csrf_token": auth.csrf("/"), "category": ""}).status_code == 403
    assert client.get("/admin/policy").status_code == 200


def test_an_admin_reads_their_own_scope_from_the_api(world, client):
    scoped = ApiClient(client, issue_token(world["scoped"])).get("/admin/scope")
    assert scoped.status_code == 200
    body = scoped.get_json()
    assert body["whole_country"] is False
    assert [(p["code"], p["name_vi"]) for p in body["provinces"]] == [("ha-noi", "Thành phố Hà Nội")]
    national = ApiClient(client, issue_token(world["national"])).get("/admin/scope").get_json()
    assert national == {"whole_country": True, "provinces": []}
    assert ApiClient(client, issue_token(world["near_producer"])).get("/admin/scope").status_code == 403


def test_the_command_line_sets_shows_and_lifts_a_scope(runner, db, admin):
    result = runner.invoke(args=["admin-scope", admin.email, "ha-noi", "Sóc Trăng"])  # a former province
    assert result.exit_code == 0 and "oversees Cần Thơ, Hà Nội" in result.output, result.output
    assert provinces_of(admin) == ("can-tho", "ha-noi")
    change = db.session.scalar(select(AuditLog).where(AuditLog.action == "user.scope_changed"))
    assert change.target_id == admin.id and change.details["provinces"] == ["can-tho", "ha-noi"]
    assert "oversees the whole country" in runner.invoke(args=["admin-scope", admin.email, "--whole-country"]).output
    assert provinces_of(admin) == ()
    refused = runner.invoke(args=["admin-scope", admin.email, "Atlantis"])
    assert refused.exit_code != 0 and "Atlantis" in refused.output and provinces_of(admin) == ()


def test_create_admin_takes_provinces(runner, db):
    result = runner.invoke(args=["create-admin", "tinh@example.vn", "--password", "quan-tri-2026",
                                 "--province", "Đà Nẵng"])
    assert result.exit_code == 0 and "oversees Đà Nẵng" in result.output, result.output


def test_only_an_admin_has_a_scope(producer):
    with pytest.raises(InvalidInput):
        set_admin_scope(producer, ["Hà Nội"])


def _get(user, path, auth, client):
    if path.startswith("/api/"):
        return ApiClient(client, issue_token(user)).get(path.removeprefix("/api/v1"))
    auth.login(user.email)
    return client.get(path)


def test_a_review_is_offered_for_hiding_only_to_admins_whose_provinces_it_touches(world, auth, client, db,
                                                                                  distributor):
    for name in ("delivered", "far"):
        db.session.add(Rating(match_id=world[name].id, author_id=distributor.id,
                              subject_id=world["far_producer"].id, stars=1, comment=f"Review {name.upper()}"))
    db.session.commit()
    page = f"/listings/{world['far'].listing_id}"   # on sale, so every admin may read it
    for who, expected in (("scoped", 1), ("national", 2)):
        auth.login(world[who].email)
        html = client.get(page).get_data(as_text=True)
        assert "Review FAR" in html and "Review DELIVERED" in html
        assert html.count("Hide this review") == expected
        auth.logout()


@pytest.mark.parametrize("path", ["/admin/matches", "/admin/deals?status=proposed", "/admin/users?q=coop"])
def test_a_scoped_admins_page_asks_for_their_provinces_once(world, auth, client, db, path):
    """The top bar, the list and each row's actions all need the scope: one query serves the request."""
    auth.login(world["scoped"].email)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page = client.get(path)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert page.status_code == 200 and "You oversee these provinces only: Hà Nội." in page.get_data(as_text=True)
    assert len([s for s in statements if "FROM admin_provinces" in s]) == 1


def test_a_change_of_scope_is_seen_by_the_same_request(app, admin):
    with app.test_request_context():
        assert provinces_of(admin) == ()
        set_admin_scope(admin, ["Hà Nội"])
        assert provinces_of(admin) == ("ha-noi",)
