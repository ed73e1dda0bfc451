"""The matching workflow through /api/v1: what each party and an admin see
and do, the answers' shapes and the refusals' statuses."""
import pytest

from marketplace.core.extensions import db
from marketplace.models import Listing, MatchStatus
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


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
    assert as_(distributor).get("/matches").get_json()["total"] == 2       # the proposal under review too
    body = as_(distributor).get("/matches?status=approved").get_json()
    assert (body["total"], body["page"]) == (1, 1)
    item = body["items"][0]
    assert (item["id"], item["status"], item["quantity"], item["unit"], item["unit_price"]) == \
        (approved.id, "approved", 100, "kg", 32000)
    assert item["listing_title"] == rice[0].title and item["order_title"] == rice[1].title
    assert item["producer_name"] == producer.display_name
    assert "9% under your maximum price" in item["explanation"]
    assert "≈ 85 km from the producer to the delivery province" in item["explanation"]
    assert item["expires_at"] and item["distributor_accepted_at"] is None
    assert as_(distributor).get("/matches?status=proposed").get_json()["total"] == 1


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


def test_a_proposal_waiting_for_moderation_is_shown_to_the_parties_read_only(as_, producer, distributor, rice):
    proposed = make_match(*rice, status=MatchStatus.PROPOSED)
    for party in (producer, distributor):
        body = as_(party).get(f"/matches/{proposed.id}").get_json()
        assert (body["status"], body["contact"], body["expires_at"] is not None) == ("proposed", None, True)
        assert as_(party).get("/matches").get_json()["total"] == 1
        assert as_(party).post(f"/matches/{proposed.id}/accept", json={}).status_code == 409
    assert as_(UserFactory(role=Role.PRODUCER)).get(f"/matches/{proposed.id}").status_code == 404


def test_an_answer_in_the_wrong_state_is_a_conflict(as_, distributor, approved):
    response = as_(distributor).post(f"/matches/{approved.id}/fulfil")
    assert response.status_code == 409 and error_of(response)["code"] == "conflict"
