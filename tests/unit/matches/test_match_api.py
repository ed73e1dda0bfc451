"""The matching workflow through /api/v1: what each party and an admin see
and do, the answers' shapes and the refusals' statuses."""
import pytest
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.matches import runs
from marketplace.models import Listing, Match, MatchStatus
from marketplace.core import task_names
from marketplace.core.outbox import OutboxMessage
from marketplace.models.user import Role
from tests.api_client import ApiClient, error_of, issue_token
from tests.factories import ListingFactory, OrderFactory, UserFactory
from tests.match_data import make_match


@pytest.fixture
def api(client):
    return ApiClient(client)


@pytest.fixture
def as_(api):
    def as_user(user):
        return api.as_(issue_token(user))
    return as_user


@pytest.fixture
def approved(rice):
    return make_match(*rice)


def test_a_distributor_sees_an_approved_match_explained_in_words(as_, distributor, approved, rice, producer):
    make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor),
               status=MatchStatus.PROPOSED)
    body = as_(distributor).get("/matches").get_json()
    assert (body["total"], body["page"]) == (1, 1)
    item = body["items"][0]
    assert (item["id"], item["status"], item["quantity"], item["unit"], item["unit_price"]) == \
        (approved.id, "approved", 100, "kg", 32000)
    assert item["listing_title"] == rice[0].title and item["order_title"] == rice[1].title
    assert item["producer_name"] == producer.display_name
    assert "9% under your maximum price" in item["explanation"]
    assert "≈ 85 km from the producer to the delivery province" in item["explanation"]
    assert item["expires_at"] and item["distributor_accepted_at"] is None
    assert as_(distributor).get("/matches?status=proposed").get_json()["total"] == 0


def test_both_accept_and_the_match_is_confirmed(as_, producer, distributor, approved):
    first = as_(producer).post(f"/matches/{approved.id}/accept")  # no body needed
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["status"] == "approved" and first.get_json()["producer_accepted_at"]
    again = as_(producer).post(f"/matches/{approved.id}/accept", json={})
    assert again.status_code == 200
    second = as_(distributor).post(f"/matches/{approved.id}/accept", json={})
    assert second.get_json()["status"] == "confirmed"
    fulfilled = as_(distributor).post(f"/matches/{approved.id}/fulfil")
    assert fulfilled.status_code == 200 and fulfilled.get_json()["status"] == "fulfilled"


def test_decline_releases_the_reserved_quantity(as_, producer, approved, rice):
    response = as_(producer).post(f"/matches/{approved.id}/decline", json={"reason": "Hết hàng loại này"})
    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["reason"]) == ("declined", "Hết hàng loại này")
    db.session.expire_all()
    assert db.session.get(Listing, rice[0].id).reserved_quantity == 0


def test_cancel_needs_a_reason(as_, distributor, approved):
    response = as_(distributor).post(f"/matches/{approved.id}/cancel", json={"reason": "  "})
    assert response.status_code == 422 and "reason" in error_of(response)["fields"]
    missing = as_(distributor).post(f"/matches/{approved.id}/cancel", json={})
    assert missing.status_code == 422 and "reason" in error_of(missing)["fields"]
    done = as_(distributor).post(f"/matches/{approved.id}/cancel", json={"reason": "Đổi kế hoạch"})
    assert done.get_json()["status"] == "cancelled"


def test_another_producers_match_is_not_found(as_, approved):
    stranger = UserFactory(role=Role.PRODUCER)
    response = as_(stranger).get(f"/matches/{approved.id}")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert as_(stranger).post(f"/matches/{approved.id}/accept", json={}).status_code == 404
    assert as_(stranger).get("/matches").get_json()["total"] == 0


def test_a_proposal_waiting_for_moderation_is_invisible_to_the_parties(as_, producer, distributor, rice):
    proposed = make_match(*rice, status=MatchStatus.PROPOSED)
    for party in (producer, distributor):
        assert as_(party).get(f"/matches/{proposed.id}").status_code == 404
        assert as_(party).get("/matches").get_json()["total"] == 0


def test_an_answer_in_the_wrong_state_is_a_conflict(as_, distributor, approved):
    response = as_(distributor).post(f"/matches/{approved.id}/fulfil")
    assert response.status_code == 409 and error_of(response)["code"] == "conflict"


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
    assert [m["id"] for m in as_(distributor).get("/matches").get_json()["items"]] == [older.id]
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
