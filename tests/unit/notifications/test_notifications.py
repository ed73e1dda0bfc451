"""The notifier: who hears about which event, on which channel, exactly
once; e-mails through a real SMTP server, preferences and the digest."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from marketplace.core.events import emit_event
from marketplace.core.extensions import db as _db
from marketplace.models import (
    Channel,
    DeliveryStatus,
    Notification,
    WebhookEndpoint,
)
from marketplace.models.user import Role
from marketplace.notifications import delivery
from marketplace.notifications.services import notify, set_preferences, summarise_moderation
from tests.support.notifications import deliveries, emit, kinds_of, match_details, outbox_tasks
from tests.support.sinks import SmtpSink

# -- the notifier ------------------------------------------------------------------------------

def test_notify_twice_with_one_key_stores_and_queues_once(app, parties):
    producer, _ = parties
    first = notify(producer, "user.verified", {"target_type": "user", "target_id": producer.id}, "k-1")
    _db.session.commit()
    again = notify(producer, "user.verified", {"target_type": "user", "target_id": producer.id}, "k-1")
    _db.session.commit()
    assert first and again is None
    assert kinds_of(producer) == ["user.verified"]
    assert len(deliveries(Channel.EMAIL)) == 1
    assert outbox_tasks() == ["notifications.send_emails"]


def test_a_rolled_back_change_notifies_nobody(app, parties):
    producer, distributor = parties
    emit_event("match.approved", target_type="match", target_id=7, **match_details(producer, distributor))
    _db.session.rollback()
    assert _db.session.scalar(select(func.count(Notification.id))) == 0
    assert outbox_tasks() == []


@pytest.mark.parametrize("kind, party, to_producer, to_distributor", [
    ("match.approved", None, True, True),
    ("match.accepted", "producer", False, True),
    ("match.accepted", "distributor", True, False),
    ("match.declined", "distributor", True, False),
    ("match.confirmed", None, True, True),
    ("match.expired", None, True, True),
    ("match.cancelled", "producer", False, True),
    ("match.fulfilled", None, True, False),
    ("match.rejected", None, False, False),
])
def test_each_match_event_reaches_the_right_parties(app, parties, kind, party, to_producer, to_distributor):
    producer, distributor = parties
    actor = {"producer": producer, "distributor": distributor}.get(party)
    extra = {"party": party} if party else {}
    emit(kind, actor=actor, **match_details(producer, distributor, **extra))
    assert kinds_of(producer) == ([kind] if to_producer else [])
    assert kinds_of(distributor) == ([kind] if to_distributor else [])


def test_a_cancellation_by_an_admin_reaches_both_parties(app, parties, user_factory):
    producer, distributor = parties
    admin = user_factory(role=Role.ADMIN)
    emit("match.cancelled", actor=admin, reason="trùng lặp", **match_details(producer, distributor))
    assert kinds_of(producer) == kinds_of(distributor) == ["match.cancelled"]


def test_listing_order_and_account_events(app, parties):
    producer, distributor = parties
    emit("listing.sold_out", target_type="listing", target_id=3, producer_id=producer.id, listing_title="Gạo")
    emit("order.filled", target_type="order", target_id=4, distributor_id=distributor.id, order_title="Mua gạo")
    emit("user.verified", target_type="user", target_id=producer.id)
    assert kinds_of(producer) == ["listing.sold_out", "user.verified"]
    assert kinds_of(distributor) == ["order.filled"]


def test_a_suspended_user_is_told_by_email_whatever_the_preferences(app, smtp, parties):
    producer, _ = parties
    set_preferences(producer, [("match.approved", "email", False)], digest=True)
    producer.status = producer.status.SUSPENDED
    emit("user.suspended", target_type="user", target_id=producer.id, reason="Hàng giả")
    [email_row] = deliveries(Channel.EMAIL)
    assert email_row.status is DeliveryStatus.PENDING   # not held for the digest
    assert deliveries(Channel.WEBHOOK) == []
    delivery.flush_emails()
    [message] = smtp.to("htx@example.vn")
    text, _html = SmtpSink.bodies(message)
    assert "Tài khoản của bạn bị tạm khóa" in message["Subject"]
    assert "Hàng giả" in text


def test_proposals_give_admins_one_summary_not_one_per_match(app, parties, user_factory):
    producer, distributor = parties
    admins = [user_factory(role=Role.ADMIN), user_factory(role=Role.ADMIN)]
    for match_id in (7, 8, 9):
        emit("match.proposed", target_id=match_id, **match_details(producer, distributor))
    assert outbox_tasks() == ["notifications.moderation_summary"]
    assert kinds_of(producer) == []

    # The summary counts what still waits; a retried task with the same key adds nothing.
    from marketplace.models import Match, MatchStatus
    from tests.support.factories import ListingFactory, OrderFactory

    listing, order = ListingFactory(producer=producer), OrderFactory(distributor=distributor)
    for _n in range(3):
        _db.session.add(Match(listing_id=listing.id, order_id=order.id, producer_id=producer.id,
                              distributor_id=distributor.id, category="food.rice", unit="kg", quantity=10,
                              unit_price=32000, score=1.0, breakdown={}, listing_revision=1, order_revision=1, status=MatchStatus.REJECTED))
    _db.session.add(Match(listing_id=listing.id, order_id=order.id, producer_id=producer.id,
                          distributor_id=distributor.id, category="food.rice", unit="kg", quantity=10,
                          unit_price=32000, score=1.0, breakdown={}, listing_revision=1, order_revision=1, status=MatchStatus.PROPOSED))
    _db.session.commit()
    assert summarise_moderation("run-1") == 2
    assert summarise_moderation("run-1") == 0
    for admin in admins:
        [note] = _db.session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
        assert note.kind == "moderation.waiting" and note.payload == {"count": 1}


# -- e-mail ----------------------------------------------------------------------------------

def test_approved_match_emails_both_parties_in_their_language_with_a_link(app, smtp, parties):
    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    assert delivery.flush_emails() == {"sent": 2, "retry": 0, "failed": 0}
    [to_producer] = smtp.to("htx@example.vn")
    [to_distributor] = smtp.to("buyer@example.vn")
    assert to_producer["Subject"] == "[CungCầu] Một đề xuất ghép nối đã được duyệt cho bạn"
    assert to_distributor["Subject"] == "[CungCầu] A proposal is approved for you"
    text, html = SmtpSink.bodies(to_distributor)
    assert "“Gạo ST25 lô 1” for “Cần mua gạo ST25”: 2,000 kg at 32.000 ₫" in text
    assert "https://cungcau.example/matches/7" in text and 'href="https://cungcau.example/matches/7"' in html
    vi_text, _html = SmtpSink.bodies(to_producer)
    assert "2.000 kg" in vi_text
    assert to_producer["Message-ID"] != to_distributor["Message-ID"]
    # Already sent: a second flush (a retried task) sends nothing.
    assert delivery.flush_emails() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(smtp.messages) == 2
    assert all(row.status is DeliveryStatus.SENT and row.sent_at for row in deliveries(Channel.EMAIL))


def test_smtp_down_then_up_every_email_arrives_once(app, smtp, parties):
    producer, distributor = parties
    smtp.stop()
    for match_id in (1, 2, 3):
        emit("match.confirmed", target_id=match_id, **match_details(producer, distributor, match_id=match_id))
    counts = delivery.flush_emails()
    assert counts["sent"] == 0 and counts["retry"] == 6
    rows = deliveries(Channel.EMAIL)
    assert {row.status for row in rows} == {DeliveryStatus.PENDING}
    assert all(row.attempts == 1 and "Connection" in row.last_error for row in rows)
    assert "notifications.send_emails" in outbox_tasks()
    # In-app is unaffected.
    assert len(kinds_of(producer)) == len(kinds_of(distributor)) == 3

    smtp.start()
    import time
    time.sleep(0.1)  # the backoff
    assert delivery.flush_emails()["sent"] == 6
    assert delivery.flush_emails()["sent"] == 0
    assert sorted(smtp.delivery_ids()) == sorted(str(row.id) for row in rows)


def test_a_refused_recipient_fails_that_email_only(app, smtp, parties, user_factory):
    producer, distributor = parties
    from aiosmtpd.handlers import Sink  # noqa: F401  (aiosmtpd is the real server in every test)

    class Picky:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address.startswith("buyer@"):
                return "550 no such mailbox"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            smtp.raw.append(envelope.content)
            return "250 OK"

    from aiosmtpd.controller import Controller
    smtp.stop()
    picky = Controller(Picky(), hostname="127.0.0.1", port=smtp.port)
    picky.start()
    try:
        emit("match.approved", **match_details(producer, distributor))
        assert delivery.flush_emails() == {"sent": 1, "retry": 0, "failed": 1}
    finally:
        picky.stop()
    statuses = {row.notification.user_id: row.status for row in deliveries(Channel.EMAIL)}
    assert statuses == {producer.id: DeliveryStatus.SENT, distributor.id: DeliveryStatus.FAILED}


def test_a_claim_held_by_a_dead_worker_is_taken_over_after_the_lease(app, smtp, parties):
    from datetime import timedelta

    from marketplace.core.clock import utcnow

    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    for row in deliveries(Channel.EMAIL):   # as if a worker claimed them and died
        row.status, row.claim_token, row.claimed_at = DeliveryStatus.SENDING, "dead", utcnow()
    _db.session.commit()
    assert delivery.flush_emails()["sent"] == 0
    for row in deliveries(Channel.EMAIL):
        row.claimed_at = utcnow() - timedelta(seconds=app.config["NOTIFY_CLAIM_SECONDS"] + 1)
    _db.session.commit()
    assert delivery.sweep()["email"] == 2
    assert delivery.flush_emails()["sent"] == 2


# -- preferences and digest ------------------------------------------------------------------

def test_preferences_are_honoured(app, smtp, parties, receiver):
    producer, distributor = parties
    WebhookEndpoint.query  # noqa: B018
    _db.session.add(WebhookEndpoint(user_id=distributor.id, url=receiver.url()))
    _db.session.commit()
    set_preferences(producer, [("match.approved", "email", False)])
    set_preferences(distributor, [("match.approved", "webhook", False), ("match.confirmed", "email", False)])
    emit("match.approved", **match_details(producer, distributor))
    emit("match.confirmed", **match_details(producer, distributor))
    sent = {(row.notification.user_id, row.notification.kind, row.channel) for row in deliveries()}
    assert sent == {(distributor.id, "match.approved", Channel.EMAIL),
                    (producer.id, "match.confirmed", Channel.EMAIL),
                    (distributor.id, "match.confirmed", Channel.WEBHOOK)}
    # In-app is always on.
    assert kinds_of(producer) == kinds_of(distributor) == ["match.approved", "match.confirmed"]


def test_the_digest_gathers_the_days_emails_into_one_and_nothing_twice(app, smtp, parties):
    producer, distributor = parties
    set_preferences(distributor, [], digest=True)
    emit("match.approved", **match_details(producer, distributor))
    emit("match.confirmed", **match_details(producer, distributor))
    emit("order.filled", target_type="order", target_id=4, distributor_id=distributor.id, order_title="Mua gạo")
    delivery.flush_emails()
    assert smtp.to("buyer@example.vn") == []          # held for the digest
    assert len(smtp.to("htx@example.vn")) == 2        # the producer has no digest

    assert delivery.send_digests() == {"users": 1, "notifications": 3}
    [digest] = smtp.to("buyer@example.vn")
    text, html = SmtpSink.bodies(digest)
    assert digest["Subject"] == "[CungCầu] Your daily summary: 3 notifications"
    for title in ("A proposal is approved for you", "Match confirmed", "Order filled"):
        assert text.count(title) == 1 and title in html
    assert delivery.send_digests() == {"users": 0, "notifications": 0}

    emit("match.expired", **match_details(producer, distributor))
    assert delivery.send_digests() == {"users": 1, "notifications": 1}
    latest = smtp.to("buyer@example.vn")[-1]
    text, _html = SmtpSink.bodies(latest)
    assert "Match expired" in text and "Order filled" not in text


def test_a_digest_that_cannot_be_sent_is_kept_for_the_retry(app, smtp, parties):
    producer, distributor = parties
    set_preferences(distributor, [], digest=True)
    emit("match.approved", **match_details(producer, distributor))
    smtp.stop()
    with pytest.raises(OSError):  # smtplib's errors are OSErrors too
        delivery.send_digests()
    assert {row.status for row in deliveries(Channel.EMAIL) if row.notification.user_id == distributor.id} \
        == {DeliveryStatus.HELD}
    smtp.start()
    assert delivery.send_digests()["notifications"] == 1


def test_the_digest_is_scheduled_at_seven_in_vietnam(app):
    celery = app.extensions["celery"]
    entry = celery.conf.beat_schedule["notifications-digest"]
    assert entry["task"] == "notifications.digest"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}
    assert celery.conf.timezone == "Asia/Ho_Chi_Minh"
