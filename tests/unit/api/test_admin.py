"""/api/v1/admin: the moderation queue, approving and rejecting, one at a time
or in bulk, and match runs started by an admin."""
import pytest
from sqlalchemy import select

from marketplace.core import task_names
from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage
from marketplace.matches import lifecycle, runs
from marketplace.models import Listing, Match, MatchStatus
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import ListingFactory, OrderFactory
from tests.support.match_data import make_match, proposal
from tests.unit.admin.test_moderation import fresh, status_of


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def as_(api):
    return lambda user: api.as_(issue_token(user))


def test_the_api_queue_takes_the_filters_and_shows_the_producers_record(as_, admin, queue_world, verified, distributor):
    rice, honey, tea = queue_world
    proposal(verified, distributor, status=MatchStatus.FULFILLED)
    api = as_(admin)
    assert [m["id"] for m in api.get("/admin/matches").get_json()["items"]] == [rice.id, honey.id, tea.id]
    assert [m["id"] for m in api.get("/admin/matches?category=food").get_json()["items"]] == [rice.id, honey.id]
    assert [m["id"] for m in api.get("/admin/matches?province=Hà Nội").get_json()["items"]] == [honey.id, tea.id]
    assert [m["id"] for m in api.get("/admin/matches?max_score=0.61").get_json()["items"]] == [tea.id]
    body = api.get("/admin/matches?unverified=true").get_json()
    assert [m["id"] for m in body["items"]] == [honey.id] and body["total"] == 1
    item = api.get("/admin/matches?category=food.rice").get_json()["items"][0]
    assert (item["producer_verified"], item["producer_history"]) == (True, {"fulfilled": 1, "cancelled": 0})
    assert (item["listing_province"], item["delivery_province"]) == ("can-tho", "ho-chi-minh")
    bad = api.get("/admin/matches?max_score=2&category=nothing")
    assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"max_score"}
    bad = api.get("/admin/matches?category=nothing&province=Atlantis")
    assert bad.status_code == 422 and set(error_of(bad)["fields"]) == {"category", "province"}


def test_api_bulk_gives_one_result_per_id(as_, admin, verified, distributor):
    matches = [proposal(verified, distributor) for _ in range(3)]
    lifecycle.reject(matches[1], admin, "Trùng lặp")
    response = as_(admin).post("/admin/matches/bulk",
                               json={"ids": [m.id for m in matches] + [999999], "action": "approve"})
    assert response.status_code == 200
    body = response.get_json()
    assert [(r["id"], r["ok"]) for r in body["results"]] == [
        (matches[0].id, True), (matches[1].id, False), (matches[2].id, True), (999999, False)]
    assert body["results"][0]["error"] is None and "reload the page" in body["results"][1]["error"]
    assert body["results"][3]["error"] == "No such match."
    assert (body["done"], body["already_handled"], body["not_found"]) == (2, 1, 1)


def test_api_bulk_reject_checks_the_reason_before_changing_anything(as_, admin, verified, distributor):
    matches = [proposal(verified, distributor) for _ in range(2)]
    ids = [m.id for m in matches]
    api = as_(admin)
    missing = api.post("/admin/matches/bulk", json={"ids": ids, "action": "reject"})
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"reason"}
    other = api.post("/admin/matches/bulk", json={"ids": ids, "action": "reject", "reason_code": "other"})
    assert other.status_code == 422 and set(error_of(other)["fields"]) == {"reason"}
    too_many = api.post("/admin/matches/bulk", json={"ids": list(range(1, 102)), "action": "approve"})
    assert too_many.status_code == 422 and set(error_of(too_many)["fields"]) == {"ids"}
    assert [status_of(m) for m in matches] == [MatchStatus.PROPOSED] * 2
    done = api.post("/admin/matches/bulk", json={"ids": ids, "action": "reject", "reason_code": "unverified",
                                                 "reason": "Chưa có giấy OCOP"})
    assert done.get_json()["done"] == 2
    assert fresh(matches[0]).reason == "Producer not verified: Chưa có giấy OCOP"


def test_api_single_reject_takes_a_standard_reason(as_, admin, verified, distributor):
    match = proposal(verified, distributor)
    api = as_(admin)
    assert api.post("/admin/matches/999999/reject", json={"reason_code": "price"}).status_code == 404
    response = api.post(f"/admin/matches/{match.id}/reject", json={"reason_code": "price"})
    assert response.status_code == 200 and response.get_json()["reason"] == "Price far from the market"


def test_api_moderation_is_for_admins_only(api, as_, producer, distributor, verified):
    match = proposal(verified, distributor)
    body = {"ids": [match.id], "action": "approve"}
    anonymous = api.post("/admin/matches/bulk", json=body)
    assert anonymous.status_code == 401 and error_of(anonymous)["code"] == "unauthorized"
    for user in (producer, distributor):
        refused = as_(user).post("/admin/matches/bulk", json=body)
        assert refused.status_code == 403 and error_of(refused)["code"] == "forbidden"
        assert as_(user).get("/admin/matches?unverified=true").status_code == 403
    assert status_of(match) == MatchStatus.PROPOSED


def test_admin_queue_is_oldest_first_and_approve_shows_it_to_the_parties(as_, admin, producer, distributor,
                                                                           run_now):
    pairs = [(ListingFactory(producer=producer), OrderFactory(distributor=distributor)) for _ in range(2)]
    older = make_match(*pairs[0], status=MatchStatus.PROPOSED)
    newer = make_match(*pairs[1], status=MatchStatus.PROPOSED)
    queue = as_(admin).get("/admin/matches?status=proposed").get_json()
    assert [m["id"] for m in queue["items"]] == [older.id, newer.id]
    assert queue["items"][0]["order_max_unit_price"] == 35000
    approved = as_(admin).post(f"/admin/matches/{older.id}/approve")
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    seen = {m["id"]: m["status"] for m in as_(distributor).get("/matches").get_json()["items"]}
    assert seen == {older.id: "approved", newer.id: "proposed"}
    assert as_(admin).post(f"/admin/matches/{older.id}/approve").status_code == 409


def test_admin_rejects_only_with_a_reason(as_, admin, rice):
    proposed = make_match(*rice, status=MatchStatus.PROPOSED)
    missing = as_(admin).post(f"/admin/matches/{proposed.id}/reject", json={})
    assert missing.status_code == 422 and set(error_of(missing)["fields"]) == {"reason"}
    blank = as_(admin).post(f"/admin/matches/{proposed.id}/reject", json={"reason": ""})
    assert blank.status_code == 422 and "reason" in error_of(blank)["fields"]
    rejected = as_(admin).post(f"/admin/matches/{proposed.id}/reject", json={"reason": "Giá bất thường"})
    assert rejected.get_json()["status"] == "rejected"
    db.session.expire_all()
    assert db.session.get(Listing, rice[0].id).reserved_quantity == 0


def test_admin_endpoints_refuse_others(api, as_, producer, distributor):
    for user in (producer, distributor):
        response = as_(user).get("/admin/matches")
        assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
        assert as_(user).post("/admin/match-runs", json={}).status_code == 403
    assert api.get("/admin/match-runs").status_code == 401


def test_admin_starts_a_run_that_the_workers_pick_up(as_, admin, rice):
    response = as_(admin).post("/admin/match-runs", json={"category": "food.rice"})
    assert response.status_code == 202
    run = response.get_json()
    assert (run["status"], run["category"], run["trigger"], run["parts_total"]) == \
        ("queued", "food.rice", "admin", 1)
    assert [p["category"] for p in run["parts"]] == ["food.rice"]
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.task == task_names.MATCH_DISPATCH_RUN)).one()
    assert message.kwargs == {"run_id": run["id"]}
    listed = as_(admin).get("/admin/match-runs").get_json()
    assert [r["id"] for r in listed["items"]] == [run["id"]]
    one = as_(admin).get(f"/admin/match-runs/{run['id']}")
    assert one.status_code == 200 and one.get_json()["parts"][0]["status"] == "queued"
    assert as_(admin).get("/admin/match-runs/99999").status_code == 404


def test_an_unknown_category_is_refused(as_, admin):
    response = as_(admin).post("/admin/match-runs", json={"category": "food.nothing"})
    assert response.status_code == 422 and "category" in error_of(response)["fields"]


def test_waiting_for_a_run_returns_its_figures(as_, admin, rice, monkeypatch):
    from marketplace.api.views import admin as admin_api

    def worker_then_wait(run_id, timeout):
        # No worker in unit tests: run the parts here, as a worker would.
        for category in runs.pending_parts(run_id):
            runs.run_part(run_id, category)
        return runs.wait_for(run_id, timeout)

    monkeypatch.setattr(admin_api, "wait_for", worker_then_wait)
    response = as_(admin).post("/admin/match-runs?wait=1")
    assert response.status_code == 201, response.get_json()
    run = response.get_json()
    assert (run["status"], run["matches"], run["quantity"]) == ("done", 1, 1000)
    assert db.session.scalars(select(Match)).one().status == MatchStatus.PROPOSED


@pytest.mark.parametrize("app_overrides", [{"MATCH_RUN_WAIT_SECONDS": 0.3}])
def test_a_run_still_going_after_the_wait_is_accepted(as_, admin, rice, app_overrides):
    response = as_(admin).post("/admin/match-runs?wait=1", json={})
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
