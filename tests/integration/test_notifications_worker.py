"""Notifications end to end on the production stack: PostgreSQL, Redis, a
real Celery worker consuming the ``notifications`` queue, a real SMTP
server (aiosmtpd) and a real webhook receiver that checks signatures."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.app import create_app
from marketplace.core.events import emit_event
from marketplace.core.extensions import db
from marketplace.models import (
    Channel,
    DeliveryStatus,
    Match,
    MatchStatus,
    Notification,
    NotificationDelivery,
    WebhookEndpoint,
)
from marketplace.models.user import Role
from marketplace.notifications import delivery
from tests.support.factories import ListingFactory, OrderFactory, UserFactory
from tests.support.servers import wait_for
from tests.support.sinks import SmtpSink, WebhookReceiver

QUEUES = "celery,notifications"


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
def notify_env(service_env, monkeypatch, smtp):
    env = {**service_env, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "SITE_URL": "https://cungcau.example", "NOTIFY_RETRY_BASE_SECONDS": "0.5",
           "NOTIFY_RETRY_MAX_SECONDS": "2", "WEBHOOK_TIMEOUT_SECONDS": "1", "NOTIFY_CLAIM_SECONDS": "3",
           "NOTIFY_MODERATION_DELAY_SECONDS": "1", "MAIL_TIMEOUT_SECONDS": "3",
           "WEBHOOK_ALLOW_HTTP_LOCALHOST": "1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def app(notify_env):
    app = create_app({"TESTING": True})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def details(producer, distributor, match_id=7, **extra) -> dict:
    return {"match_id": match_id, "listing_id": 3, "order_id": 4, "producer_id": producer.id,
            "distributor_id": distributor.id, "quantity": 2000, "unit": "kg", "unit_price": 32000,
            "listing_title": "Gạo ST25 lô 1", "order_title": "Cần mua gạo ST25", **extra}


def emit(kind, target_id=7, **values):
    emit_event(kind, target_type="match", target_id=target_id, **values)
    db.session.commit()


def fresh(query):
    db.session.expire_all()
    return db.session.execute(query)


def statuses(channel: Channel) -> list[DeliveryStatus]:
    return list(fresh(select(NotificationDelivery.status).where(NotificationDelivery.channel == channel)).scalars())


@pytest.fixture
def parties(app):
    producer = UserFactory(role=Role.PRODUCER, email="htx@example.vn", locale="vi")
    distributor = UserFactory(role=Role.DISTRIBUTOR, email="buyer@example.vn", locale="en")
    return producer, distributor


def test_an_approved_match_reaches_both_parties_by_app_email_and_a_signed_webhook(
        app, notify_env, parties, smtp, receiver, start_worker):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
    db.session.add(endpoint)
    db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    worker = start_worker(notify_env, queues=QUEUES)

    emit("match.approved", **details(producer, distributor))

    wait_for(lambda: len(smtp.messages) == 2 and receiver.at("/hook"), timeout=90,
             message="two e-mails and a webhook")
    assert len(smtp.to("htx@example.vn")) == len(smtp.to("buyer@example.vn")) == 1, worker.output()
    [post] = receiver.at("/hook")
    assert post["valid"] and post["event"] == "match.approved" and post["json"]["data"]["match_id"] == 7
    for user in parties:
        assert fresh(select(func.count()).select_from(Notification)
                     .where(Notification.user_id == user.id)).scalar() == 1
    wait_for(lambda: set(statuses(Channel.EMAIL)) | set(statuses(Channel.WEBHOOK)) == {DeliveryStatus.SENT},
             message="deliveries marked sent")


def test_smtp_down_then_up_every_email_arrives_exactly_once(app, notify_env, parties, smtp, start_worker):
    producer, distributor = parties
    smtp.stop()
    start_worker(notify_env, queues=QUEUES)
    for match_id in range(1, 6):
        emit("match.confirmed", target_id=match_id, **details(producer, distributor, match_id))

    # The worker tries, fails, and keeps the e-mails for later; in-app is unaffected.
    def all_tried():
        rows = fresh(select(NotificationDelivery.status, NotificationDelivery.attempts)).all()
        return len(rows) == 10 and all(s is DeliveryStatus.PENDING and a >= 1 for s, a in rows)
    wait_for(all_tried, timeout=60, message="failed first attempts")
    assert fresh(select(func.count(Notification.id))).scalar() == 10

    time.sleep(2)  # a couple more failed retries while the server is down
    smtp.start()
    wait_for(lambda: len(smtp.messages) >= 10, timeout=60, message="ten e-mails")
    wait_for(lambda: set(statuses(Channel.EMAIL)) == {DeliveryStatus.SENT}, message="all marked sent")
    time.sleep(3)  # nothing arrives twice, even from retries still queued
    ids = smtp.delivery_ids()
    assert len(ids) == 10 and len(set(ids)) == 10
    expected = fresh(select(NotificationDelivery.id)).scalars().all()
    assert sorted(ids) == sorted(str(i) for i in expected)


def test_a_hanging_webhook_receiver_does_not_hold_up_other_deliveries(
        app, notify_env, parties, smtp, receiver, start_worker):
    producer, distributor = parties
    slow = WebhookEndpoint(user_id=distributor.id, url=receiver.url("/slow"))
    fast = WebhookEndpoint(user_id=producer.id, url=receiver.url("/fast"))
    db.session.add_all([slow, fast])
    db.session.commit()
    receiver.secrets.update({"/slow": slow.secret, "/fast": fast.secret})
    receiver.hangs["/slow"] = 30
    start_worker(notify_env, queues=QUEUES)

    started = time.monotonic()
    for match_id in (1, 2, 3):
        emit("match.approved", target_id=match_id, **details(producer, distributor, match_id))
    wait_for(lambda: len(receiver.at("/fast")) == 3 and len(smtp.messages) == 6, timeout=60,
             message="the fast endpoint and the e-mails")
    assert time.monotonic() - started < 20
    assert all(post["valid"] for post in receiver.at("/fast"))
    # The slow one timed out (1 s) and waits for its retry.
    slow_rows = fresh(select(NotificationDelivery).where(NotificationDelivery.endpoint_id == slow.id)).scalars().all()
    wait_for(lambda: all(row.attempts >= 1 for row in
                         fresh(select(NotificationDelivery).where(NotificationDelivery.endpoint_id == slow.id))
                         .scalars()), message="the slow endpoint's attempts")
    assert len(slow_rows) == 3


def test_a_worker_killed_mid_delivery_delivers_once_after_restart(
        app, notify_env, parties, smtp, receiver, start_worker):
    producer, distributor = parties
    endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
    db.session.add(endpoint)
    db.session.commit()
    receiver.secrets["/hook"] = endpoint.secret
    receiver.hang = 60
    slow_env = {**notify_env, "WEBHOOK_TIMEOUT_SECONDS": "30"}
    first = start_worker(slow_env, queues=QUEUES)

    emit("match.approved", **details(producer, distributor))
    wait_for(lambda: receiver.at("/hook"), timeout=60, message="the first POST")
    os.killpg(first.process.pid, signal.SIGKILL)   # the whole worker, mid-request
    first.process.wait()
    receiver.hang = 0
    [row] = fresh(select(NotificationDelivery).where(NotificationDelivery.channel == Channel.WEBHOOK)).scalars()
    assert row.status is DeliveryStatus.SENDING

    start_worker(notify_env, queues=QUEUES)
    time.sleep(3.5)  # the dead worker's claim expires (NOTIFY_CLAIM_SECONDS=3); beat's sweep re-queues it
    assert delivery.sweep()["webhook"] == 1
    wait_for(lambda: statuses(Channel.WEBHOOK) == [DeliveryStatus.SENT], timeout=60, message="the redelivery")
    posts = receiver.at("/hook")
    assert len(posts) == 2 and posts[0]["delivery"] == posts[1]["delivery"] == str(row.id)
    assert all(post["valid"] for post in posts)
    time.sleep(1)
    assert len(receiver.at("/hook")) == 2


def test_proposals_give_each_admin_one_summary(app, notify_env, parties, smtp, start_worker):
    producer, distributor = parties
    admin = UserFactory(role=Role.ADMIN, email="admin@example.vn")
    listing, order = ListingFactory(producer=producer), OrderFactory(distributor=distributor)
    start_worker(notify_env, queues=QUEUES)
    for n in range(3):
        match = Match(listing_id=listing.id, order_id=order.id, producer_id=producer.id,
                      distributor_id=distributor.id, category="food.rice", unit="kg", quantity=10,
                      unit_price=32000, score=1.0, breakdown={}, listing_revision=1, order_revision=1,
                      status=MatchStatus.PROPOSED if n == 2 else MatchStatus.REJECTED)
        db.session.add(match)
        db.session.flush()
        emit("match.proposed", target_id=match.id, **details(producer, distributor, match.id))
    wait_for(lambda: smtp.to("admin@example.vn"), timeout=60, message="the admin's e-mail")
    time.sleep(2)
    [note] = fresh(select(Notification).where(Notification.user_id == admin.id)).scalars().all()
    assert note.kind == "moderation.waiting" and note.payload == {"count": 1}
    assert len(smtp.to("admin@example.vn")) == 1
    assert fresh(select(func.count(Notification.id)).where(Notification.user_id != admin.id)).scalar() == 0


def test_the_embedded_stack_of_make_run_delivers_too(instance_dir, monkeypatch, smtp, receiver, start_worker):
    """SQLite and the filesystem broker, as `make run` has them: e-mail and webhook arrive."""
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    env = {"INSTANCE_PATH": str(instance_dir), "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port),
           "WEBHOOK_ALLOW_HTTP_LOCALHOST": "1"}    # the receiver is http on this machine
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    app = create_app()
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(directory=str(Path(__file__).resolve().parents[2] / "migrations"))
        producer = UserFactory(role=Role.PRODUCER, email="htx@example.vn", locale="vi")
        distributor = UserFactory(role=Role.DISTRIBUTOR, email="buyer@example.vn", locale="en")
        endpoint = WebhookEndpoint(user_id=distributor.id, url=receiver.url())
        db.session.add(endpoint)
        db.session.commit()
        receiver.secrets["/hook"] = endpoint.secret
        start_worker(env, queues=QUEUES)
        emit("match.approved", **details(producer, distributor))
        wait_for(lambda: len(smtp.messages) == 2 and receiver.at("/hook"), timeout=90,
                 message="e-mails and a webhook on the embedded stack")
        assert receiver.at("/hook")[0]["valid"]
        db.session.remove()
        db.engine.dispose()
