"""A match's thread through /api/v1: the bodies, the page envelope, the
refusals' statuses and the admins' hide action."""
import pytest

from marketplace.core.extensions import db
from marketplace.models import MatchStatus, Notification
from marketplace.models.user import Role
from tests.support.api_client import ApiClient, error_of, issue_token
from tests.support.factories import UserFactory
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


def test_a_party_writes_and_the_other_reads_it(as_, approved, producer, distributor):
    response = as_(distributor).post(f"/matches/{approved.id}/messages",
                                     json={"text": "Giảm còn 30.000 ₫/kg được không?\nTôi lấy thêm 200 kg."})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["author_role"] == "distributor" and body["mine"] is True
    assert body["text"] == "Giảm còn 30.000 ₫/kg được không?\nTôi lấy thêm 200 kg."
    assert {"id", "author_role", "text", "created_at", "hidden"} <= set(body)
    assert body["hidden"] is False and body["hidden_reason"] is None
    page = as_(producer).get(f"/matches/{approved.id}/messages").get_json()
    assert set(page) == {"items", "page", "per_page", "total"}
    assert page["total"] == 1 and page["items"][0]["mine"] is False
    assert page["items"][0]["author_name"] == distributor.display_name


def test_html_is_stored_as_typed_never_interpreted(as_, approved, producer):
    typed = "<script>alert('x')</script> & <b>"
    assert as_(producer).post(f"/matches/{approved.id}/messages", json={"text": typed}).get_json()["text"] == typed


def test_without_a_page_the_latest_comes_and_earlier_pages_can_be_asked(as_, approved, producer, app):
    app.config["MESSAGE_RATE_LIMIT"] = "100 per minute"
    client = as_(producer)
    for n in range(5):
        assert client.post(f"/matches/{approved.id}/messages", json={"text": f"tin {n}"}).status_code == 201
    latest = client.get(f"/matches/{approved.id}/messages?per_page=2").get_json()
    assert (latest["page"], latest["total"], [m["text"] for m in latest["items"]]) == (3, 5, ["tin 4"])
    first = client.get(f"/matches/{approved.id}/messages?per_page=2&page=1").get_json()
    assert [m["text"] for m in first["items"]] == ["tin 0", "tin 1"]
    assert client.get(f"/matches/{approved.id}/messages?per_page=101").status_code == 422


@pytest.mark.parametrize("body, field", [({"text": ""}, "text"), ({"text": " \n "}, "text"), ({}, "text"),
                                         ({"text": None}, "text"), ({"text": 5}, "text"),
                                         ({"text": "ok", "to": "x"}, "to")])
def test_bad_bodies_are_refused_by_field(as_, approved, producer, body, field):
    response = as_(producer).post(f"/matches/{approved.id}/messages", json=body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_too_long_a_message_says_how_long_it_may_be(as_, approved, producer):
    response = as_(producer).post(f"/matches/{approved.id}/messages", json={"text": "x" * 2001})
    assert response.status_code == 422
    assert error_of(response)["fields"]["text"] == "A message has at most 2000 characters; this one has 2001."


def test_a_closed_match_answers_409_but_can_still_be_read(as_, approved, producer):
    client = as_(producer)
    client.post(f"/matches/{approved.id}/messages", json={"text": "Trước khi huỷ"})
    approved.status = MatchStatus.CANCELLED
    db.session.commit()
    response = client.post(f"/matches/{approved.id}/messages", json={"text": "Sau khi huỷ"})
    assert response.status_code == 409 and error_of(response)["code"] == "conflict"
    assert client.get(f"/matches/{approved.id}/messages").get_json()["total"] == 1


def test_strangers_get_404_as_for_the_match_itself(as_, approved, producer):
    stranger = as_(UserFactory(role=Role.DISTRIBUTOR))
    for response in (stranger.get(f"/matches/{approved.id}/messages"),
                     stranger.post(f"/matches/{approved.id}/messages", json={"text": "Chào"}),
                     as_(producer).get("/matches/999999/messages")):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_proposal_has_no_thread_even_for_an_admin(as_, rice, admin):
    proposal = make_match(*rice, status=MatchStatus.PROPOSED)
    response = as_(admin).post(f"/matches/{proposal.id}/messages", json={"text": "Chào"})
    assert response.status_code == 404 and "opens once it is approved" in error_of(response)["message"]


def test_the_rate_limit_answers_429_in_the_error_shape(as_, approved, producer, app):
    app.config["MESSAGE_RATE_LIMIT"] = "2 per minute"
    client = as_(producer)
    statuses = [client.post(f"/matches/{approved.id}/messages", json={"text": f"tin {n}"}).status_code
                for n in range(3)]
    assert statuses == [201, 201, 429]
    error = error_of(client.post(f"/matches/{approved.id}/messages", json={"text": "nữa"}))
    assert error["code"] == "rate_limited" and "too fast" in error["message"]


def test_an_admin_writes_as_the_programme_and_hides_a_message(as_, approved, producer, distributor, admin):
    written = as_(producer).post(f"/matches/{approved.id}/messages", json={"text": "Gọi 0909 ngoài sàn"}).get_json()
    staff = as_(admin).post(f"/matches/{approved.id}/messages", json={"text": "Xin trao đổi trên sàn."}).get_json()
    assert staff["author_role"] == "admin" and staff["author_name"] == "Programme staff"
    hide = f"/admin/matches/{approved.id}/messages/{written['id']}/hide"
    assert as_(producer).post(hide, json={"reason": "x"}).status_code == 403
    assert error_of(as_(admin).post(hide, json={}))["fields"]["reason"]
    response = as_(admin).post(hide, json={"reason": "Trao đổi ngoài sàn"})
    assert response.status_code == 200
    assert response.get_json()["hidden"] is True and response.get_json()["text"] == "Gọi 0909 ngoài sàn"
    assert as_(admin).post(hide, json={"reason": "Lần nữa"}).status_code == 409
    seen = as_(distributor).get(f"/matches/{approved.id}/messages").get_json()["items"][0]
    assert (seen["hidden"], seen["text"], seen["hidden_reason"]) == (True, None, "Trao đổi ngoài sàn")
    assert as_(admin).get(f"/matches/{approved.id}/messages").get_json()["items"][0]["text"] == "Gọi 0909 ngoài sàn"
    missing = as_(admin).post(f"/admin/matches/{approved.id}/messages/999999/hide", json={"reason": "x"})
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"


def test_reading_the_thread_marks_its_notification_read(as_, approved, producer, distributor):
    as_(producer).post(f"/matches/{approved.id}/messages", json={"text": "Chào chị"})
    unread = as_(distributor).get("/notifications?unread=1").get_json()
    assert [n["kind"] for n in unread["items"]] == ["match.message"]
    as_(distributor).get(f"/matches/{approved.id}/messages")
    db.session.expire_all()
    assert db.session.query(Notification).filter(Notification.read_at.is_(None)).count() == 0
