"""The match thread's use cases: who reads and writes in which state, what a
message may hold, one notification per burst, the rate limit, and hiding."""
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from marketplace.core.audit import AuditLog
from marketplace.core.extensions import db
from marketplace.core.validation import InvalidInput, NotAllowed, WrongState
from marketplace.matches import messages
from marketplace.models import Channel, MatchMessage, MatchStatus, Notification, NotificationDelivery
from marketplace.models.user import Role, UserStatus
from marketplace.notifications.services import mark_read, set_preferences
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.match_data import make_match


@pytest.fixture(autouse=True)
def english(app):
    """Outside a request the services speak the default language (vi); these tests read English."""
    with force_locale("en"):
        yield


@pytest.fixture
def approved(rice):
    return make_match(*rice)


def notices(user):
    db.session.expire_all()
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                         Notification.kind == "match.message")
                              .order_by(Notification.id)).all()


def test_the_parties_write_to_each_other_and_messages_come_oldest_first(approved, producer, distributor):
    messages.post_message(approved, distributor, "Chào anh, 170.000 ₫ được không?")
    messages.post_message(approved, producer, "Được, nếu lấy 1.200 lít.")
    page = messages.thread_page(approved.id)
    assert [(m.author_role, m.text) for m in page.items] == [
        ("distributor", "Chào anh, 170.000 ₫ được không?"), ("producer", "Được, nếu lấy 1.200 lít.")]
    assert (page.page, page.total) == (1, 2)


@pytest.mark.parametrize("status", [MatchStatus.APPROVED, MatchStatus.CONFIRMED, MatchStatus.FULFILLED])
def test_the_thread_is_open_from_approval_to_delivery(rice, producer, status):
    match = make_match(*rice, status=status)
    assert messages.post_message(match, producer, "Hàng sẵn sàng").id


@pytest.mark.parametrize("status", [MatchStatus.DECLINED, MatchStatus.EXPIRED, MatchStatus.CANCELLED])
def test_a_closed_match_keeps_its_thread_read_only_for_everyone(rice, producer, distributor, admin, status):
    match = make_match(*rice)
    messages.post_message(match, producer, "Trước khi đóng")
    match.status = status
    db.session.commit()
    for user in (producer, distributor, admin):
        assert messages.thread_of(match, user).readable
        with pytest.raises(WrongState, match="closed"):
            messages.post_message(match, user, "Sau khi đóng")
    assert messages.thread_page(match.id).total == 1


def test_a_proposal_has_no_thread_yet(rice, producer, admin):
    proposal = make_match(*rice, status=MatchStatus.PROPOSED)
    assert not messages.thread_of(proposal, admin).readable
    with pytest.raises(NotAllowed):
        messages.post_message(proposal, producer, "Xin chào")


def test_a_stranger_can_neither_read_nor_write(approved):
    stranger = UserFactory(role=Role.PRODUCER)
    assert not messages.thread_of(approved, stranger).readable
    with pytest.raises(NotAllowed):
        messages.post_message(approved, stranger, "Tôi cũng muốn bán")
    assert db.session.scalar(select(MatchMessage.id)) is None


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\t"])
def test_an_empty_message_is_refused(approved, producer, text):
    with pytest.raises(InvalidInput) as refused:
        messages.post_message(approved, producer, text)
    assert refused.value.fields == {"text": "Write a message first."}


def test_two_thousand_characters_fit_and_one_more_is_refused_with_the_count(approved, producer):
    assert len(messages.post_message(approved, producer, "ă" * 2000).text) == 2000
    with pytest.raises(InvalidInput) as refused:
        messages.post_message(approved, producer, "ă" * 2001)
    assert refused.value.fields["text"] == "A message has at most 2000 characters; this one has 2001."


def test_text_is_stored_as_typed_with_line_breaks_as_newlines(approved, producer):
    typed = "<b>Giá</b> & \"số lượng\"\r\n  dòng hai  \r\ndòng ba"
    stored = messages.post_message(approved, producer, typed).text
    assert stored == "<b>Giá</b> & \"số lượng\"\n  dòng hai  \ndòng ba"


def test_a_nul_character_is_refused_rather_than_breaking_the_database(approved, producer):
    with pytest.raises(InvalidInput):
        messages.post_message(approved, producer, "a\x00b")


def test_a_message_tells_the_other_party_in_app_and_by_email(approved, producer, distributor):
    messages.post_message(approved, producer, "Chào chị")
    [notice] = notices(distributor)
    assert notice.payload["author_role"] == "producer" and notice.payload["target_id"] == approved.id
    assert notices(producer) == []
    channels = db.session.scalars(select(NotificationDelivery.channel)
                                  .where(NotificationDelivery.notification_id == notice.id)).all()
    assert channels == [Channel.EMAIL]


def test_email_follows_the_recipients_preferences(approved, producer, distributor):
    set_preferences(distributor, [("match.message", "email", False)])
    messages.post_message(approved, producer, "Chào chị")
    [notice] = notices(distributor)
    assert db.session.scalar(select(NotificationDelivery.id)
                             .where(NotificationDelivery.notification_id == notice.id)) is None


def test_a_burst_is_one_notification_until_the_recipient_reads_it(approved, producer, distributor):
    for text in ("Một", "Hai", "Ba"):
        messages.post_message(approved, producer, text)
    assert len(notices(distributor)) == 1
    mark_read(notices(distributor)[0])
    messages.post_message(approved, producer, "Bốn")
    assert len(notices(distributor)) == 2
    # Opening the thread counts as reading: the next message is announced again.
    messages.read_thread(approved, distributor)
    assert all(n.read_at for n in notices(distributor))
    messages.post_message(approved, producer, "Năm")
    assert len(notices(distributor)) == 3


def test_two_messages_racing_for_the_same_burst_make_one_notification(approved, producer, distributor):
    key = messages._burst_key(approved.id, distributor.id)
    messages.post_message(approved, producer, "Một")
    # A second request that read the state before the first committed computes the same key.
    assert key == notices(distributor)[0].dedupe_key
    from marketplace.notifications.services import notify
    assert notify(distributor, "match.message", {}, key) is None


def test_the_programme_staff_write_to_both_parties_and_it_is_audited(approved, producer, distributor, admin):
    message = messages.post_message(approved, admin, "Ban điều hành nhắc: giao trước 20/12.")
    assert message.author_role == "admin"
    assert len(notices(producer)) == len(notices(distributor)) == 1
    assert notices(admin) == []
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "match.message_posted"))
    assert (audit.actor_id, audit.target_id, audit.details["message_id"]) == (admin.id, approved.id, message.id)


def test_a_suspended_party_is_not_notified(approved, producer, distributor):
    distributor.status = UserStatus.SUSPENDED
    db.session.commit()
    messages.post_message(approved, producer, "Chào chị")
    assert notices(distributor) == []


def test_an_admin_hides_a_message_with_a_reason_and_it_is_audited(approved, producer, admin):
    message = messages.post_message(approved, producer, "Gọi số 0909 ngoài sàn nhé")
    with pytest.raises(InvalidInput):
        messages.hide_message(approved, message.id, admin, "  ")
    hidden = messages.hide_message(approved, message.id, admin, "Trao đổi ngoài sàn")
    assert hidden.hidden and hidden.hidden_reason == "Trao đổi ngoài sàn"
    assert hidden.text == "Gọi số 0909 ngoài sàn nhé"  # kept for the admins and the record
    audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "match.message_hidden"))
    assert audit.actor_id == admin.id and audit.details["message_id"] == message.id
    assert audit.details["reason"] == "Trao đổi ngoài sàn"
    with pytest.raises(WrongState):
        messages.hide_message(approved, message.id, admin, "Lần nữa")


def test_only_an_admin_hides_and_only_a_message_of_that_match(approved, producer, distributor, admin):
    message = messages.post_message(approved, producer, "Xin chào")
    with pytest.raises(NotAllowed):
        messages.hide_message(approved, message.id, distributor, "Không thích")
    other = make_match(ListingFactory(producer=producer), OrderFactory(distributor=distributor))
    with pytest.raises(messages.NoSuchMessage):
        messages.hide_message(other, message.id, admin, "Sai chỗ")
    assert not db.session.get(MatchMessage, message.id).hidden


def test_the_latest_page_comes_first_when_no_page_is_asked(approved, producer):
    for n in range(45):
        db.session.add(MatchMessage(match_id=approved.id, author_id=producer.id, author_role="producer",
                                    text=f"tin {n}"))
    db.session.commit()
    latest = messages.thread_page(approved.id)
    assert (latest.page, latest.total, [m.text for m in latest.items]) == (3, 45, [f"tin {n}" for n in range(40, 45)])
    assert [m.text for m in messages.thread_page(approved.id, 1).items][0] == "tin 0"


def test_posting_is_limited_per_user(app, approved, producer, distributor):
    app.config["MESSAGE_RATE_LIMIT"] = "3 per minute"
    for n in range(3):
        messages.post_message(approved, producer, f"Tin {n}")
    with pytest.raises(messages.RateLimited, match="too fast"):
        messages.post_message(approved, producer, "Tin 4")
    # The other party has a budget of their own.
    messages.post_message(approved, distributor, "Tôi vẫn gửi được")
    assert messages.thread_page(approved.id).total == 4


def test_the_notice_says_who_wrote_and_leads_to_the_match(approved, rice, producer, distributor, admin):
    from marketplace.notifications.messages import path_of, text_of, title_of

    messages.post_message(approved, producer, "Chào chị")
    messages.post_message(approved, admin, "Ban điều hành đây")
    by_producer = notices(distributor)[0]
    assert title_of(by_producer.kind, by_producer.payload) == "The producer wrote to you"
    assert text_of(by_producer.kind, by_producer.payload) == (
        f"New messages about “{rice[0].title}” for “{rice[1].title}”. Open the match to read them and reply.")
    assert path_of(by_producer.kind, by_producer.payload) == f"/matches/{approved.id}"
    by_staff = notices(producer)[0]
    assert title_of(by_staff.kind, by_staff.payload) == "The programme staff wrote to you"
