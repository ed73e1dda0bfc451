"""The notifier: who hears about which event, on which channel, exactly
once; e-mails through a real SMTP server, webhooks to a real receiver."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from marketplace.events import emit_event
from marketplace.extensions import db as _db
from marketplace.models import (
    Channel, DeliveryStatus, Notification, NotificationDelivery, OutboxMessage, WebhookEndpoint,
)
from marketplace.models.user import Role
from marketplace.notifications import delivery
from marketplace.notifications.services import notify, set_preferences, summarise_moderation
from marketplace.notifications.webhooks import sign, url_problem, verify_signature
from tests.api_client import ApiClient, error_of, issue_token
from tests.notify_servers import SmtpSink, WebhookReceiver


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def receiver():
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def app_overrides(smtp):
    return {"OUTBOX_RELAY": "off", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
            "SITE_URL": "https://cungcau.example", "NOTIFY_RETRY_BASE_SECONDS": 0.01,
            "NOTIFY_RETRY_MAX_SECONDS": 0.05, "WEBHOOK_TIMEOUT_SECONDS": 0.5, "WEBHOOK_DISABLE_AFTER": 3,
            "WEBHOOK_MAX_ATTEMPTS": 10, "MAIL_TIMEOUT_SECONDS": 2}


@pytest.fixture
def parties(user_factory):
    producer = user_factory(role=Role.PRODUCER, email="htx@example.vn", locale="vi")
    distributor = user_factory(role=Role.DISTRIBUTOR, email="buyer@example.vn", locale="en")
    return producer, distributor


def match_details(producer, distributor, **extra) -> dict:
    return {"match_id": 7, "listing_id": 3, "order_id": 4, "producer_id": producer.id,
            "distributor_id": distributor.id, "quantity": 2000, "unit": "kg", "unit_price": 32000,
            "listing_title": "Gạo ST25 lô 1", "order_title": "Cần mua gạo ST25", **extra}


def emit(kind, target_type="match", target_id=7, actor=None, **details):
    event = emit_event(kind, target_type=target_type, target_id=target_id, actor=actor, **details)
    _db.session.commit()
    return event


def kinds_of(user) -> list[str]:
    return list(_db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                                    .order_by(Notification.id)))


def deliveries(channel=None):
    query = select(NotificationDelivery).order_by(NotificationDelivery.id)
    if channel:
        query = query.where(NotificationDelivery.channel == channel)
    return _db.session.scalars(query).all()


def outbox_tasks() -> list[str]:
    return list(_db.session.scalars(select(OutboxMessage.task).order_by(OutboxMessage.id)))


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
    from tests.factories import ListingFactory, OrderFactory
    from marketplace.models import Match, MatchStatus

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
    assert to_producer["Subject"] == "[CungCầu] Một đề xuất kết nối đã được duyệt cho bạn"
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

    from marketplace.models.base import utcnow

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
    with pytest.raises(Exception):
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


# -- webhooks --------------------------------------------------------------------------------

def test_signatures_verify_and_a_tampered_or_stale_request_does_not():
    body = b'{"event":"match.approved"}'
    signature = sign("whsec_x", 1_800_000_000, body)
    assert verify_signature("whsec_x", body, "1800000000", signature, now=1_800_000_010)
    assert not verify_signature("whsec_x", body + b" ", "1800000000", signature, now=1_800_000_010)
    assert not verify_signature("whsec_other", body, "1800000000", signature, now=1_800_000_010)
    assert not verify_signature("whsec_x", body, "1800000001", signature, now=1_800_000_010)
    assert not verify_signature("whsec_x", body, "1800000000", signature, now=1_800_000_000 + 301)
    assert not verify_signature("whsec_x", body, None, signature)


def test_webhook_addresses_must_be_https_except_localhost_in_development(app):
    assert url_problem("https://shop.example.vn/hooks", False) is None
    assert url_problem("http://127.0.0.1:9000/hook", True) is None
    assert url_problem("http://localhost/hook", False)
    assert url_problem("https://127.0.0.1/hook", False)
    assert url_problem("https://10.0.0.5/hook", False)
    assert url_problem("http://shop.example.vn/hook", True)
    assert url_problem("ftp://shop.example.vn", True)
    assert url_problem("https://user:pw@shop.example.vn", True)


def test_a_webhook_is_a_signed_post_the_receiver_can_verify(app, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert delivery.deliver_webhook(row.id) == "sent"
    assert delivery.deliver_webhook(row.id) == "skipped"      # a duplicate task sends nothing
    [post] = receiver.at("/hook")
    assert post["valid"] and post["delivery"] == str(row.id) and post["event"] == "match.approved"
    assert post["json"]["data"]["match_id"] == 7 and post["json"]["title"] == "A proposal is approved for you"
    assert post["json"]["link"] == "https://cungcau.example/matches/7"
    # Anyone who changes a byte is caught.
    tampered = post["body"].replace(b"2000", b"9000")
    assert not verify_signature(endpoint.secret, tampered, post["timestamp"], post["signature"])
    _db.session.refresh(row)
    assert row.status is DeliveryStatus.SENT and row.response_status == 200


def test_failing_webhooks_are_retried_with_backoff_then_the_endpoint_is_disabled(app, smtp, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    receiver.status = 500
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    assert delivery.deliver_webhook(row.id) == "retry"
    _db.session.refresh(row)
    assert row.status is DeliveryStatus.PENDING and row.attempts == 1 and row.last_error.startswith("HTTP 500")
    retry = _db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.dedupe_key.like("notifications.send_webhooks:retry:%"))).all()
    assert retry and retry[-1].run_after > row.created_at
    import time
    for _attempt in range(2):
        time.sleep(0.06)
        delivery.deliver_webhook(row.id)
    _db.session.refresh(endpoint)
    _db.session.refresh(row)
    assert not endpoint.active and endpoint.disabled_at and row.status is DeliveryStatus.FAILED
    assert len(receiver.at("/hook")) == 3
    assert kinds_of(distributor) == ["match.approved", "webhook.disabled"]
    delivery.flush_emails()
    assert any("webhook" in m["Subject"].lower() for m in smtp.to("buyer@example.vn"))
    # Nothing more goes to a disabled endpoint.
    emit("match.confirmed", **match_details(producer, distributor))
    assert len(deliveries(Channel.WEBHOOK)) == 1


def test_a_hanging_receiver_times_out_quickly(app, parties, receiver):
    import time

    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url("/slow"))
    _db.session.add(endpoint)
    _db.session.commit()
    receiver.secrets["/slow"] = endpoint.secret
    receiver.hangs["/slow"] = 3
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    started = time.monotonic()
    assert delivery.deliver_webhook(row.id) == "retry"
    assert time.monotonic() - started < 2
    _db.session.refresh(row)
    assert "timed out" in row.last_error


# -- pages -----------------------------------------------------------------------------------

def test_the_bell_counts_unread_and_the_list_marks_them_read(app, client, auth, parties, user_factory):
    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    emit("match.confirmed", **match_details(producer, distributor))
    auth.login("buyer@example.vn")
    home = client.get("/").get_data(as_text=True)
    assert '<span class="bell-count" id="unread-count">2</span>' in home
    page = client.get("/notifications").get_data(as_text=True)
    assert "A proposal is approved for you" in page and "Match confirmed" in page
    first, second = _db.session.scalars(select(Notification.id).where(Notification.user_id == distributor.id)
                                        .order_by(Notification.id)).all()
    token = auth.csrf("/notifications")
    assert client.post(f"/notifications/{first}/read", data={"csrf_token": token}).status_code == 302
    assert '<span class="bell-count" id="unread-count">1</span>' in client.get("/").get_data(as_text=True)
    # Someone else's notification does not exist for you.
    other = _db.session.scalar(select(Notification.id).where(Notification.user_id == producer.id))
    assert client.post(f"/notifications/{other}/read", data={"csrf_token": token}).status_code == 404
    response = client.get(f"/notifications/{second}/open")
    assert response.status_code == 302 and response.headers["Location"].endswith("/matches/7")
    emit("match.expired", **match_details(producer, distributor))
    client.post("/notifications/read-all", data={"csrf_token": token})
    assert '<span class="bell-count" id="unread-count">0</span>' in client.get("/").get_data(as_text=True)


def test_the_bell_reads_vietnamese_by_default(app, parties):
    from tests.conftest import AuthActions

    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    visitor = app.test_client()
    AuthActions(visitor).login("htx@example.vn")
    page = visitor.get("/notifications").get_data(as_text=True)
    assert "Một đề xuất kết nối đã được duyệt cho bạn" in page


def test_preferences_page_saves_choices(app, client, auth, parties):
    producer, distributor = parties
    auth.login("htx@example.vn")
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'name="listing.sold_out:email"' in page and 'name="order.filled:email"' not in page
    form = {"csrf_token": auth.csrf("/notifications/preferences"), "email_digest": "y",
            "match.approved:webhook": "on", "listing.sold_out:email": "on"}
    assert client.post("/notifications/preferences", data=form).status_code == 302
    emit("match.approved", **match_details(producer, distributor))
    emit("listing.sold_out", target_type="listing", target_id=3, producer_id=producer.id, listing_title="Gạo")
    rows = [(row.notification.kind, row.status) for row in deliveries(Channel.EMAIL)
            if row.notification.user_id == producer.id]
    assert rows == [("listing.sold_out", DeliveryStatus.HELD)]


def test_webhook_pages_register_show_the_secret_and_the_log(app, client, auth, parties, receiver):
    producer, distributor = parties
    auth.login("buyer@example.vn")
    token = auth.csrf("/notifications/webhooks")
    bad = client.post("/notifications/webhooks", data={"csrf_token": token, "url": "http://shop.example.vn/h"})
    assert bad.status_code == 400 and "https://" in bad.get_data(as_text=True)
    good = client.post("/notifications/webhooks", data={"csrf_token": token, "url": receiver.url()})
    endpoint = _db.session.scalar(select(WebhookEndpoint))
    assert good.status_code == 200 and endpoint.secret in good.get_data(as_text=True)
    receiver.secrets["/hook"] = endpoint.secret
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    delivery.deliver_webhook(row.id)
    log = client.get(f"/notifications/webhooks/{endpoint.id}").get_data(as_text=True)
    assert f'id="delivery-{row.id}"' in log and "sent" in log
    auth.logout()
    auth.login("htx@example.vn")
    assert client.get(f"/notifications/webhooks/{endpoint.id}").status_code == 404


# -- API -------------------------------------------------------------------------------------

def test_api_lists_and_marks_notifications(app, client, parties):
    producer, distributor = parties
    emit("match.approved", **match_details(producer, distributor))
    emit("match.confirmed", **match_details(producer, distributor))
    api = ApiClient(client, issue_token(distributor))
    body = api.get("/notifications?per_page=1").get_json()
    assert set(body) == {"items", "page", "per_page", "total"} and body["total"] == 2
    [item] = body["items"]
    assert item["kind"] == "match.confirmed" and item["title"] == "Match confirmed"
    assert item["link"] == "https://cungcau.example/matches/7" and item["data"]["order_id"] == 4
    assert item["read_at"] is None
    read = api.post(f"/notifications/{item['id']}/read")
    assert read.status_code == 200 and read.get_json()["read_at"]
    assert api.get("/notifications?unread=1").get_json()["total"] == 1
    assert api.post("/notifications/read-all").get_json() == {"updated": 1}
    other = _db.session.scalar(select(Notification.id).where(Notification.user_id == producer.id))
    assert error_of(api.post(f"/notifications/{other}/read"))["code"] == "not_found"
    vi = api.get("/notifications", headers={"Accept-Language": "vi"}).get_json()
    assert vi["items"][0]["title"] == "Kết nối đã được xác nhận"
    assert api.as_(None).get("/notifications").status_code == 401


def test_api_preferences(app, client, parties):
    producer, _ = parties
    api = ApiClient(client, issue_token(producer))
    body = api.get("/notifications/preferences").get_json()
    assert body["email_digest"] is False
    assert {"kind": "match.approved", "channel": "email", "enabled": True,
            "label": "A proposal is approved for me"} in body["preferences"]
    changed = api.patch("/notifications/preferences", json={
        "email_digest": True, "preferences": [{"kind": "match.approved", "channel": "email", "enabled": False}]})
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["email_digest"] is True
    assert {"kind": "match.approved", "channel": "email", "enabled": False,
            "label": "A proposal is approved for me"} in body["preferences"]
    wrong = api.patch("/notifications/preferences", json={
        "preferences": [{"kind": "order.filled", "channel": "email", "enabled": False}]})
    assert error_of(wrong)["fields"] == {"preferences.0.kind": "Not a valid choice."}
    bad = api.patch("/notifications/preferences", json={
        "preferences": [{"kind": "match.approved", "channel": "sms", "enabled": False}]})
    assert "preferences.0.channel" in error_of(bad)["fields"]


def test_api_webhooks(app, client, parties, receiver, user_factory):
    producer, distributor = parties
    api = ApiClient(client, issue_token(distributor))
    refused = api.post("/webhooks", json={"url": "http://shop.example.vn/hook"})
    assert refused.status_code == 422 and "url" in error_of(refused)["fields"]
    created = api.post("/webhooks", json={"url": receiver.url()})
    assert created.status_code == 201
    endpoint = created.get_json()
    assert endpoint["secret"].startswith("whsec_") and endpoint["active"] is True
    assert [e["id"] for e in api.get("/webhooks").get_json()] == [endpoint["id"]]
    receiver.secrets["/hook"] = endpoint["secret"]
    emit("match.approved", **match_details(producer, distributor))
    [row] = deliveries(Channel.WEBHOOK)
    delivery.deliver_webhook(row.id)
    log = api.get(f"/webhooks/{endpoint['id']}/deliveries").get_json()
    assert log["total"] == 1 and log["items"][0]["status"] == "sent" and log["items"][0]["event"] == "match.approved"
    assert api.post(f"/webhooks/{endpoint['id']}/enable").get_json()["active"] is True
    admin_api = ApiClient(client, issue_token(user_factory(role=Role.ADMIN)))
    assert admin_api.post("/webhooks", json={"url": receiver.url()}).status_code == 403
    assert ApiClient(client, issue_token(producer)).get(f"/webhooks/{endpoint['id']}").status_code == 404
    assert api.delete(f"/webhooks/{endpoint['id']}").status_code == 204
    assert api.get("/webhooks").get_json() == []


def test_webhook_bodies_are_json_with_the_event(app, parties, receiver):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=producer.id, url=receiver.url("/p"))
    _db.session.add(endpoint)
    _db.session.commit()
    emit("listing.sold_out", target_type="listing", target_id=3, producer_id=producer.id, listing_title="Gạo")
    [row] = deliveries(Channel.WEBHOOK)
    body = delivery.webhook_body(row.id, row.attempts, row.notification, producer.locale)
    assert json.loads(json.dumps(body))["event"] == "listing.sold_out"
    assert body["link"].endswith("/listings/3") and body["title"] == "Tin bán đã hết hàng"


def test_the_webhook_sender_works_around_a_hanging_receiver(app, parties, receiver, user_factory):
    import time

    producer, distributor = parties
    app.config.update(WEBHOOK_TIMEOUT_SECONDS=1, WEBHOOK_CONCURRENCY=4, WEBHOOK_PER_ENDPOINT=1, WEBHOOK_DISABLE_AFTER=10,
                      NOTIFY_RETRY_BASE_SECONDS=60, NOTIFY_RETRY_MAX_SECONDS=60)
    slow = WebhookEndpoint(user_id=distributor.id, url=receiver.url("/slow"))
    fast = [WebhookEndpoint(user_id=user_factory(role=Role.DISTRIBUTOR).id, url=receiver.url(f"/fast{n}"))
            for n in range(3)]
    _db.session.add_all([slow, *fast])
    _db.session.commit()
    receiver.secrets.update({"/slow": slow.secret, **{f"/fast{n}": e.secret for n, e in enumerate(fast)}})
    receiver.hangs["/slow"] = 3
    owners = [distributor, *[_db.session.get(type(distributor), e.user_id) for e in fast]]
    for match_id in range(1, 4):
        for owner in owners:
            emit("order.filled", target_type="order", target_id=match_id, distributor_id=owner.id,
                 order_title=f"Mua gạo {match_id}")
    started = time.monotonic()
    counts = delivery.flush_webhooks()
    elapsed = time.monotonic() - started
    # Nine fast POSTs went through while the slow endpoint held one thread at a time;
    # its three deliveries timed out one after the other and wait for a retry.
    assert counts == {"sent": 9, "retry": 3}
    assert all(len(receiver.at(f"/fast{n}")) == 3 for n in range(3))
    assert all(post["valid"] for post in receiver.received)
    assert elapsed < 3 * 1 + 2
    assert len(receiver.at("/slow")) == 3
