"""The transactional outbox: a task is queued only by a commit, edits inside
the debounce window fold into one message, and a broker that cannot be
reached keeps the message instead of losing it or hanging the caller."""
import time

import pytest
from sqlalchemy import select

from marketplace.core.extensions import db
from marketplace.core.outbox import OutboxMessage, claim, enqueue, publish_due


def messages():
    db.session.expire_all()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_a_rolled_back_transaction_queues_nothing(app):
    enqueue("health.ping", {"note": "x"})
    db.session.rollback()
    assert messages() == []


def test_messages_with_the_same_key_fold_into_the_one_waiting(app):
    for _ in range(5):
        enqueue("matching.category_changed", {"category": "food.rice"}, dedupe_key="k", delay=30)
        db.session.commit()
    assert len(messages()) == 1


def test_once_claimed_a_new_change_needs_a_new_message(app):
    enqueue("matching.category_changed", {"category": "food.rice"}, dedupe_key="k")
    db.session.commit()
    first = messages()[0]
    assert claim(first.id) is True
    assert claim(first.id) is False  # a duplicate delivery of the same message
    enqueue("matching.category_changed", {"category": "food.rice"}, dedupe_key="k")
    db.session.commit()
    assert len(messages()) == 2


def test_publishing_marks_messages_published(app):
    enqueue("health.ping", {"note": "x"})
    db.session.commit()
    assert publish_due() == 1
    assert messages()[0].published_at is not None
    assert publish_due() == 0


@pytest.mark.parametrize("app_overrides", [{"CELERY": {
    "broker_url": "redis://127.0.0.1:9/0", "broker_connection_timeout": 1,
    "broker_transport_options": {"socket_connect_timeout": 1, "max_retries": 0}}}])
def test_an_unreachable_broker_keeps_the_message_and_answers_promptly(app):
    enqueue("health.ping", {"note": "x"})
    db.session.commit()
    started = time.monotonic()
    assert publish_due() == 0
    assert time.monotonic() - started < 10
    row = messages()[0]
    assert row.published_at is None and row.attempts == 1 and row.last_error
