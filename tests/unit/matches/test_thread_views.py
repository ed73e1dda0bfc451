"""The thread on the match page, through the real forms and CSRF tokens:
write, see it escaped with its line breaks, page back, read-only once
closed, refusals as form messages, and the admins' hide button."""
import pytest
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.models import MatchMessage, MatchStatus, Notification
from marketplace.models.user import Role
from tests.support.auth import csrf_token_from
from tests.support.factories import UserFactory
from tests.support.match_data import make_match


@pytest.fixture
def approved(rice):
    return make_match(*rice)


def write(client, match, text):
    page = client.get(f"/matches/{match.id}").get_data(as_text=True)
    return client.post(f"/matches/{match.id}/messages",
                       data={"csrf_token": csrf_token_from(page), "message-text": text})


def test_a_message_sent_through_the_form_is_shown_escaped_with_its_line_breaks(auth, client, approved,
                                                                              distributor, producer):
    auth.login(distributor.email)
    response = write(client, approved, "<script>alert(1)</script>\r\nGiá 30.000 ₫ & giao 20/12")
    assert response.status_code == 302 and response.location.endswith(f"/matches/{approved.id}#thread")
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "Message sent." in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\nGiá 30.000 ₫ &amp; giao 20/12" in page
    assert "<script>alert(1)" not in page
    auth.logout()
    auth.login(producer.email)
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert distributor.display_name in page and "&lt;script&gt;" in page


def test_the_form_keeps_a_too_long_message_and_says_why(auth, client, approved, producer):
    auth.login(producer.email)
    response = write(client, approved, "x" * 2001)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A message has at most 2000 characters; this one has 2001." in page
    assert "x" * 2001 in page  # nothing typed is lost
    assert 'maxlength="2000"' in page
    assert db.session.scalar(select(MatchMessage.id)) is None


def test_an_empty_message_is_a_form_message(auth, client, approved, producer):
    auth.login(producer.email)
    response = write(client, approved, "   ")
    assert response.status_code == 400 and "Write a message first." in response.get_data(as_text=True)


def test_without_csrf_nothing_is_sent(auth, client, approved, producer):
    auth.login(producer.email)
    client.post(f"/matches/{approved.id}/messages", data={"message-text": "Chào"})
    assert db.session.scalar(select(MatchMessage.id)) is None


def test_too_many_messages_get_a_form_message_and_429(auth, client, approved, producer, app):
    app.config["MESSAGE_RATE_LIMIT"] = "2 per minute"
    auth.login(producer.email)
    assert [write(client, approved, f"tin {n}").status_code for n in range(2)] == [302, 302]
    response = write(client, approved, "tin 3")
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "You are sending messages too fast" in page and "tin 3" in page


def test_the_latest_page_first_with_a_link_to_earlier_messages(auth, client, approved, producer):
    for n in range(25):
        db.session.add(MatchMessage(match_id=approved.id, author_id=producer.id, author_role="producer",
                                    text=f"tin số {n}"))
    db.session.commit()
    auth.login(producer.email)
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "tin số 24" in page and "tin số 20" in page and "tin số 4<" not in page
    assert f"/matches/{approved.id}?thread_page=1#thread" in page and "Earlier messages" in page
    earlier = client.get(f"/matches/{approved.id}?thread_page=1").get_data(as_text=True)
    assert "tin số 0<" in earlier and "tin số 24" not in earlier and "Later messages" in earlier


def test_a_cancelled_match_shows_its_thread_without_a_form(auth, client, approved, producer):
    auth.login(producer.email)
    write(client, approved, "Trước khi huỷ")
    approved.status = MatchStatus.CANCELLED
    db.session.commit()
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "Trước khi huỷ" in page and "no longer answered" in page
    assert 'name="message-text"' not in page
    assert write(client, approved, "Sau khi huỷ").status_code == 302
    assert db.session.query(MatchMessage).count() == 1


def test_a_stranger_gets_404_on_the_thread_form(auth, client, approved):
    auth.login(UserFactory(role=Role.DISTRIBUTOR).email)
    response = client.post(f"/matches/{approved.id}/messages",
                           data={"csrf_token": auth.csrf("/matches"), "message-text": "Chào"})
    assert response.status_code == 404


def test_opening_the_match_reads_its_message_notification(auth, client, approved, producer, distributor):
    auth.login(producer.email)
    write(client, approved, "Chào chị")
    auth.logout()
    auth.login(distributor.email)
    client.get(f"/matches/{approved.id}")
    db.session.expire_all()
    notice = db.session.scalar(select(Notification).where(Notification.kind == "match.message"))
    assert notice.user_id == distributor.id and notice.read_at is not None


def test_an_admin_writes_as_the_programme_staff_and_hides_a_message(auth, client, approved, producer, admin):
    auth.login(producer.email)
    write(client, approved, "Gọi 0909 ngoài sàn")
    auth.logout()
    auth.login(admin.email)
    write(client, approved, "Xin trao đổi trên sàn.")
    message = db.session.scalar(select(MatchMessage).order_by(MatchMessage.id))
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    response = client.post(f"/matches/{approved.id}/messages/{message.id}/hide",
                           data={"csrf_token": csrf_token_from(page), "hide-reason": "Trao đổi ngoài sàn"})
    assert response.status_code == 302
    admin_page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "Hidden by the programme staff: Trao đổi ngoài sàn" in admin_page and "Gọi 0909 ngoài sàn" in admin_page
    auth.logout()
    auth.login(producer.email)
    party_page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "Hidden by the programme staff: Trao đổi ngoài sàn" in party_page
    assert "Gọi 0909 ngoài sàn" not in party_page
    assert "Programme staff" in party_page and admin.display_name not in party_page
    assert "Hide this message" not in party_page


def test_a_party_cannot_hide_a_message(auth, client, approved, producer, distributor):
    auth.login(producer.email)
    write(client, approved, "Chào")
    auth.logout()
    auth.login(distributor.email)
    message_id = db.session.scalar(select(MatchMessage.id))
    response = client.post(f"/matches/{approved.id}/messages/{message_id}/hide",
                           data={"csrf_token": auth.csrf("/matches"), "hide-reason": "Không thích"})
    assert response.status_code == 302
    assert "Only an admin can hide a message." in client.get(response.location).get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(MatchMessage, message_id).hidden


def test_in_vietnamese_the_staff_write_as_ban_dieu_hanh(auth, client, approved, producer, admin):
    auth.login(admin.email)
    write(client, approved, "Nhắc lịch giao hàng")
    auth.logout()
    client.set_cookie("lang", "vi")
    auth.login(producer.email)
    page = client.get(f"/matches/{approved.id}").get_data(as_text=True)
    assert "Ban điều hành" in page and "Tin nhắn" in page and "Gửi" in page
